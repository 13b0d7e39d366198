"""Prometheus metrics, served at /metrics (METRICS_ENABLED).

Requests are labelled with their route template (`/users/{user_id}`), never the path a
client sent, so ids cannot multiply the series. With several worker processes, set
PROMETHEUS_MULTIPROC_DIR (see the README): each process then writes its values to files
there, and whichever process answers a scrape reports them all.
"""

import os
from asyncio import timeout
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
from starlette.datastructures import State

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

DB_POOL_IN_USE = Gauge(
    "db_pool_connections_in_use",
    "Pooled connections checked out, as last seen by the process answering the scrape",
    multiprocess_mode="liveall",
)
DB_POOL_WAITING = Gauge("db_pool_waiting", "Requests waiting for a database connection", multiprocess_mode="livesum")
DB_POOL_TIMEOUTS = Counter("db_pool_timeouts_total", "Requests that gave up waiting for a connection (DB_POOL_TIMEOUT)")


@asynccontextmanager
async def waiting_for_connection(seconds: float) -> AsyncIterator[None]:
    """Bound a wait for a connection to `seconds` (then TimeoutError), counted in the pool series."""
    DB_POOL_WAITING.inc()
    try:
        async with timeout(seconds):
            yield
    except TimeoutError:
        DB_POOL_TIMEOUTS.inc()
        raise
    finally:
        DB_POOL_WAITING.dec()


def observe_pool(state: State) -> None:
    """Read what only the pool knows, at scrape time: nothing to count per request."""
    DB_POOL_IN_USE.set(state.engine.pool.checkedout())


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
