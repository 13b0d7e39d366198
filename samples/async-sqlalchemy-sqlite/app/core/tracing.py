"""OpenTelemetry traces, on when OTEL_EXPORTER_OTLP_ENDPOINT is set (or a test hands in a provider).

A request's server span comes from FastAPI's own OpenTelemetry support, and a child span per
database query from OpenTelemetry's instrumentations.
Off, none of this is imported: FastAPI's telemetry is switched off, nothing is instrumented, and
a request costs what it did before. Spans are exported in batches over OTLP/HTTP to
`{endpoint}/v1/traces`; the SDK's other OTEL_* variables (OTEL_EXPORTER_OTLP_HEADERS,
OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, ...) apply as usual.
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Protocol

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from app.core.config import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

# FastAPI's own metrics and logs stay off: /metrics (Prometheus) and app/core/logging.py cover them.
OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

RecordFactory = Callable[..., logging.LogRecord]


class Instrumentor(Protocol):
    """What this module needs of an OpenTelemetry instrumentor, once it has instrumented."""

    def uninstrument(self) -> None: ...


def tracer_provider(settings: Settings) -> "TracerProvider | None":
    """The provider exporting to OTEL_EXPORTER_OTLP_ENDPOINT, or None (tracing off) when that is unset."""
    if settings.otel_exporter_otlp_endpoint is None:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # Resource.create also reads OTEL_RESOURCE_ATTRIBUTES; the service's name comes from the settings.
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.otel_service_name}))
    endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def telemetry(provider: "TracerProvider | None") -> TelemetryConfig:
    """FastAPI's telemetry settings: its server spans, with `provider`; nothing without one."""
    if provider is None:
        return OFF
    return {**OFF, "tracing": True, "tracer_provider": provider}


@asynccontextmanager
async def tracing_lifespan(app: FastAPI, provider: "TracerProvider | None") -> AsyncIterator[None]:
    """While the app runs, trace its database calls and stamp log lines with trace ids.

    Entered once the database is set up, left before it closes.
    """
    if provider is None:
        yield
        return
    instrumentors = [instrument_database(app, provider)]
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(with_trace_ids(factory))
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)
        for instrumentor in instrumentors:
            instrumentor.uninstrument()
        provider.shutdown()  # exports the spans still waiting in the batch


def instrument_database(app: FastAPI, provider: "TracerProvider") -> Instrumentor:
    """A span for each statement on this app's engine (from SQLAlchemy's events; the driver is left alone)."""
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    engine = app.state.engine.sync_engine
    instrumentor = SQLAlchemyInstrumentor()
    # Its declared range still ends before SQLAlchemy 2.1, whose events it relies on are unchanged
    # (tests/test_tracing.py checks the spans): without skipping the check it would do nothing.
    instrumentor.instrument(engine=engine, tracer_provider=provider, skip_dep_check=True)
    return instrumentor


def with_trace_ids(factory: RecordFactory) -> RecordFactory:
    """`factory`, its records stamped with the current span's trace and span ids (JSON keys, app/core/logging.py)."""
    from opentelemetry.trace import get_current_span

    def make_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        context = get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        return record

    return make_record
