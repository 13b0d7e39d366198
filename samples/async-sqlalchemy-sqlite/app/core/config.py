"""Settings, read once from the environment and `.env` (see `.env.example`)."""

from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Long enough for load balancers to see /health/ready fail and stop routing here, short
# enough for a rollout; the drain plus uvicorn's graceful timeout must stay under the
# orchestrator's grace period (deploy/kubernetes/deployment.yaml, compose.yaml).
PRODUCTION_DRAIN_SECONDS = 5.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["local", "test", "production"] = "local"
    # The default only suits a developer machine; production must set DATABASE_URL.
    database_url: str = "sqlite+aiosqlite:///./app.db"
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)
    db_echo: bool = False
    # Seconds one query (or opening a connection) may take before its connection is discarded and the
    # answer is 503: a frozen or partitioned server cannot hold requests forever.
    db_command_timeout: float = Field(default=10.0, gt=0)
    # Passwords hashed at once; each argon2 hash takes 64 MiB, so a burst of sign-ups cannot exhaust memory.
    password_hash_concurrency: int = Field(default=4, ge=1)
    # Seconds a client is told to wait (Retry-After) when the database is unreachable.
    retry_after_seconds: int = Field(default=5, ge=1)
    # Seconds between the stop signal (SIGTERM) and uvicorn's shutdown, serving meanwhile with
    # /health/ready at 503 so load balancers stop sending traffic first (app/core/shutdown.py).
    # Unset: PRODUCTION_DRAIN_SECONDS in production, 0 elsewhere (Ctrl-C and --reload stay instant).
    shutdown_drain_seconds: float = Field(default=0.0, ge=0)
    # Log lines as JSON or readable text; unset: JSON when ENVIRONMENT=production, text otherwise.
    log_format: Literal["text", "json"] | None = None
    # Level of the service's and uvicorn's loggers: DEBUG, INFO, WARNING (no request lines), ERROR, CRITICAL.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Serve Prometheus metrics at /metrics (app/core/metrics.py).
    metrics_enabled: bool = True
    # When set, /metrics answers only requests with `Authorization: Bearer <token>` (401 otherwise).
    # Unset by default: Prometheus scrapes without configuration, and the port is kept private instead.
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    # OpenTelemetry traces (app/core/tracing.py): exported over OTLP/HTTP to this collector URL (e.g.
    # http://otel-collector:4318) when set; unset, tracing is off and costs nothing.
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "sample-service"

    @field_validator("metrics_token", "otel_exporter_otlp_endpoint", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # compose.yaml passes `${OTLP_ENDPOINT:-}`: an empty value switches the feature off, as no value does.
        return None if value == "" else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _explicit_database_in_production(self) -> Self:
        if self.environment == "production" and "database_url" not in self.model_fields_set:
            raise ValueError("DATABASE_URL must be set explicitly when ENVIRONMENT=production")
        return self

    @model_validator(mode="after")
    def _drain_in_production(self) -> Self:
        if self.environment == "production" and "shutdown_drain_seconds" not in self.model_fields_set:
            self.shutdown_drain_seconds = PRODUCTION_DRAIN_SECONDS
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
