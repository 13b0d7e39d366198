"""OpenTelemetry traces: one trace per request, a child span per query; nothing at all when tracing is off."""

import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from app.core.logging import create_handler
from app.core.tracing import tracer_provider
from app.main import create_app
from tests import config
from tests.helpers import create_user

Traced = tuple[httpx.AsyncClient, InMemorySpanExporter]


@pytest.fixture
async def traced() -> AsyncIterator[Traced]:
    """A client of an app that traces into memory, and the spans it finished."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(config.settings_for_tests(), tracing=provider)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, exporter


def descends_from(span: ReadableSpan, ancestor: ReadableSpan, spans: list[ReadableSpan]) -> bool:
    by_id = {other.context.span_id: other for other in spans}
    parent = span.parent
    while parent is not None:
        if parent.span_id == ancestor.context.span_id:
            return True
        parent = by_id[parent.span_id].parent if parent.span_id in by_id else None
    return False


def attributes(span: ReadableSpan) -> str:
    return json.dumps(dict(span.attributes or {}))


async def test_a_request_is_one_trace_with_a_span_for_its_query(client: httpx.AsyncClient, traced: Traced) -> None:
    user = await create_user(client)  # by the untraced app: only the read below is traced
    traced_client, exporter = traced
    logs = io.StringIO()
    handler = create_handler("json", logs)
    logging.getLogger().addHandler(handler)
    try:
        response = await traced_client.get(f"/users/{user['id']}")
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.status_code == 200

    spans = list(exporter.get_finished_spans())
    [server] = [span for span in spans if span.kind == SpanKind.SERVER]
    assert server.name == "GET /users/{user_id}"
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/users/{user_id}"
    children = [span for span in spans if span.kind == SpanKind.CLIENT and descends_from(span, server, spans)]
    assert any(re.search(r"FROM\W+users", attributes(span)) for span in children), [span.name for span in spans]
    assert any("redis" in attributes(span) for span in children), "a span for the cache lookup"

    [line] = [json.loads(line) for line in logs.getvalue().splitlines() if '"logger": "app.requests"' in line]
    assert line["trace_id"] == format(server.context.trace_id, "032x")
    assert len(line["span_id"]) == 16


async def test_an_untraced_app_logs_no_trace_ids(client: httpx.AsyncClient, traced: Traced) -> None:
    """Even while another app of this process traces (so OpenTelemetry's SDK is loaded)."""
    assert (await traced[0].get("/health/live")).status_code == 200
    logs = io.StringIO()
    handler = create_handler("json", logs)
    logging.getLogger().addHandler(handler)
    try:
        await client.get("/health/live")
    finally:
        logging.getLogger().removeHandler(handler)

    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    assert any(line["logger"] == "app.requests" for line in lines)
    assert not any("trace_id" in line for line in lines)


def test_the_exporter_is_configured_from_the_settings() -> None:
    assert tracer_provider(config.settings_for_tests()) is None
    settings = config.settings_for_tests(otel_exporter_otlp_endpoint="http://127.0.0.1:1", otel_service_name="orders")
    provider = tracer_provider(settings)
    assert provider is not None
    assert provider.resource.attributes["service.name"] == "orders"
    provider.shutdown()


# Run in a process of its own: this one has imported OpenTelemetry's SDK for the tests above.
UNTRACED = """
import asyncio, logging, sys
import httpx
from app.main import create_app
from tests import config

async def main():
    app = create_app(config.settings_for_tests())
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            assert (await client.get("/health/live")).status_code == 200
    # Not the SDK itself: a client library may import it on its own account, for metrics of its own.
    ours = ("opentelemetry.instrumentation", "opentelemetry.exporter", "opentelemetry.sdk.trace")
    loaded = sorted(name for name in sys.modules if name.startswith(ours))
    print(loaded, logging.getLogRecordFactory() is logging.LogRecord)

asyncio.run(main())
"""


def test_without_an_endpoint_nothing_is_instrumented_or_even_imported() -> None:
    result = subprocess.run([sys.executable, "-c", UNTRACED], capture_output=True, text=True, check=False, timeout=60)

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[] True"
