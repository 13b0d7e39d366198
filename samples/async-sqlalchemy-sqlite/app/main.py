"""The FastAPI application: `uvicorn app.main:app`, or `create_app(settings)` in tests."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api.errors import register_exception_handlers
from app.api.methods import register_method_not_allowed
from app.api.routes import auth, health, metrics, posts, tags, users
from app.core.config import Settings, get_settings
from app.core.db import database_lifespan
from app.core.logging import configure_logging
from app.core.rate_limit import rate_limit_lifespan
from app.core.request_log import RequestLog
from app.core.shutdown import CloseWhileDraining, Drain
from app.core.tracing import telemetry, tracer_provider, tracing_lifespan

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, tracing: "TracerProvider | None" = None) -> FastAPI:
    """The service; `tracing` replaces the provider OTEL_EXPORTER_OTLP_ENDPOINT would configure (tests)."""
    settings = settings or get_settings()
    configure_logging(settings)
    tracing = tracing or tracer_provider(settings)
    drain = Drain(settings.shutdown_drain_seconds)
    if settings.secret_key_generated:
        logger.warning(
            "SECRET_KEY is not set: tokens are signed with a random key of this process, so they do not "
            "survive a restart and other worker processes refuse them"
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            database_lifespan(app, settings),
            rate_limit_lifespan(app, settings),
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
    if settings.cors_origins:  # otherwise no middleware at all: no cost per request
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
        )
    # Added last, so it runs first: its line and duration cover the other middleware too.
    app.add_middleware(RequestLog, metrics_enabled=settings.metrics_enabled)
    register_exception_handlers(app, settings.retry_after_seconds)
    register_method_not_allowed(app)
    for module in (health, auth, users, posts, tags):
        app.include_router(module.router)
    if settings.metrics_enabled:
        app.include_router(metrics.router)
    return app


app = create_app()
