"""The FastAPI application: `uvicorn app.main:app`, or `create_app(settings)` in tests."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from app.api.errors import register_exception_handlers
from app.api.methods import register_method_not_allowed
from app.api.routes import health, metrics, posts, tags, users
from app.core.cache import cache_lifespan
from app.core.config import Settings, get_settings
from app.core.db import database_lifespan
from app.core.logging import configure_logging
from app.core.request_log import RequestLog
from app.core.shutdown import CloseWhileDraining, Drain
from app.core.tracing import telemetry, tracer_provider, tracing_lifespan

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider


def create_app(settings: Settings | None = None, tracing: "TracerProvider | None" = None) -> FastAPI:
    """The service; `tracing` replaces the provider OTEL_EXPORTER_OTLP_ENDPOINT would configure (tests)."""
    settings = settings or get_settings()
    configure_logging(settings)
    tracing = tracing or tracer_provider(settings)
    drain = Drain(settings.shutdown_drain_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            database_lifespan(app, settings),
            cache_lifespan(app, settings),
            tracing_lifespan(app, tracing),
            drain.holding_signals(),
        ):
            yield

    app = FastAPI(
        title="Sample Service",
        description="A FastAPI service with a database.",
        lifespan=lifespan,
        telemetry=telemetry(tracing),
    )
    app.state.settings = settings
    app.state.drain = drain
    app.add_middleware(CloseWhileDraining, drain=drain)
    # Added last, so it runs first: its line and duration cover the other middleware too.
    app.add_middleware(RequestLog, metrics_enabled=settings.metrics_enabled)
    register_exception_handlers(app, settings.retry_after_seconds)
    register_method_not_allowed(app)
    for module in (health, users, posts, tags):
        app.include_router(module.router)
    if settings.metrics_enabled:
        app.include_router(metrics.router)
    return app


app = create_app()
