"""Prometheus metrics, served at /metrics (METRICS_ENABLED).

Requests are labelled with their route template (`/users/{user_id}`), never the path a
client sent, so ids cannot multiply the series. With several worker processes, set
PROMETHEUS_MULTIPROC_DIR (see the README): each process then writes its values to files
there, and whichever process answers a scrape reports them all.
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

# No `*_created` series (each counter's start time): they double the output and dashboards rarely use them.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Label of a request no route matched: the raw path would let any client create series.
UNMATCHED_ROUTE = "<unmatched>"

REQUESTS = Counter("http_requests_total", "Requests answered", ["method", "route", "status"])
REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from a request's arrival to the end of its response",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_FLIGHT = Gauge("http_requests_in_progress", "Requests being served", multiprocess_mode="livesum")
# cause: "database" (unreachable, pool exhausted) or "draining" (the service is stopping).
UNAVAILABLE = Counter("http_unavailable_responses_total", "503 answers, by cause", ["cause"])
# limit: "writes", "signup" or "login" (app/core/rate_limit.py).
RATE_LIMIT_REJECTIONS = Counter("rate_limit_rejections_total", "429 answers, by limit", ["limit"])


# Each (method, route, status)'s children of the two request series, looked up once: `labels()` checks
# and hashes its arguments on every call, and this runs on every request. The keys are the series'
# own labels, so this holds no more entries than the series do.
_request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count a request answered and its duration."""
    series = _request_series.get((method, route, status))
    if series is None:
        series = (REQUESTS.labels(method, route, str(status)), REQUEST_DURATION.labels(method, route))
        _request_series[method, route, status] = series
    series[0].inc()
    series[1].observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
