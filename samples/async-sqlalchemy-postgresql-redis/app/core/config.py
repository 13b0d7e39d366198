"""Settings, read once from the environment and `.env` (see `.env.example`)."""

import secrets
from functools import cache, lru_cache
from typing import Annotated, Literal, Self

from limits import parse
from pydantic import AfterValidator, Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Long enough for load balancers to see /health/ready fail and stop routing here, short
# enough for a rollout; the drain plus uvicorn's graceful timeout must stay under the
# orchestrator's grace period (deploy/kubernetes/deployment.yaml, compose.yaml).
PRODUCTION_DRAIN_SECONDS = 5.0
# An explicit SECRET_KEY shorter than this, or with fewer different characters (a word repeated,
# a placeholder), is refused: `openssl rand -hex 32` gives 64 characters over 16.
SECRET_KEY_MIN_LENGTH = 32
SECRET_KEY_MIN_DISTINCT = 10


def _rate_limit(value: str) -> str:
    parse(value)  # raises ValueError on anything but the `limits` notation ("5/minute", "100 per hour")
    return value


# A rate limit in the `limits` notation: "5/minute", "120 per hour", "10/second".
RateLimit = Annotated[str, AfterValidator(_rate_limit)]


@cache
def _process_secret_key() -> SecretStr:
    """The key of a process without SECRET_KEY: random, so its tokens die with it."""
    return SecretStr(secrets.token_urlsafe(32))


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting must not print SECRET_KEY or a password in DATABASE_URL.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    environment: Literal["local", "test", "production"] = "local"
    # The default only suits a developer machine; production must set DATABASE_URL.
    database_url: str = "postgresql+asyncpg://app:app@127.0.0.1:5432/app"
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

    # Signs access tokens. Required with ENVIRONMENT=production; unset elsewhere, each process draws a
    # random one, so tokens do not survive a restart and one worker refuses another's tokens.
    secret_key: SecretStr = Field(default_factory=_process_secret_key)
    access_token_minutes: int = Field(default=15, ge=1)
    refresh_token_days: int = Field(default=14, ge=1)
    # Requests allowed per client address (app/core/rate_limit.py): writes of any resource, sign-ups
    # (POST /users) and logins; sign-ups and logins are also limited per account name.
    rate_limit_enabled: bool = True
    rate_limit_writes: RateLimit = "120/minute"
    rate_limit_signup: RateLimit = "10/hour"
    rate_limit_login: RateLimit = "5/minute"
    # Proxies (addresses or networks) whose X-Forwarded-For names the client; comma-separated.
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(default_factory=list)
    # Origins browsers may call the API from (CORS), comma-separated; empty: no CORS headers at all.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # When set, /metrics answers only requests with `Authorization: Bearer <token>` (401 otherwise).
    # Unset by default: Prometheus scrapes without configuration, and the port is kept private instead.
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    # OpenTelemetry traces (app/core/tracing.py): exported over OTLP/HTTP to this collector URL (e.g.
    # http://otel-collector:4318) when set; unset, tracing is off and costs nothing.
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "sample-service"
    # Cache of single-resource reads (app/core/cache.py). Without Redis the service still serves, from the database.
    redis_url: str = "redis://127.0.0.1:6379/0"
    cache_ttl_seconds: int = Field(default=300, ge=1)
    # Namespaces this service's keys, so several services (or test runs) can share one Redis.
    cache_key_prefix: str = Field(default="sample-service", min_length=1)
    redis_max_connections: int = Field(default=50, ge=1)
    # Bounds on every Redis call (and on the wait for a pooled connection): a slow Redis costs at most this.
    redis_socket_timeout: float = Field(default=0.5, gt=0)
    redis_socket_connect_timeout: float = Field(default=0.5, gt=0)
    # Seconds a pooled connection may sit idle before it is checked with a PING on reuse.
    redis_health_check_interval: int = Field(default=30, ge=0)

    @field_validator("trusted_proxies", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @property
    def secret_key_generated(self) -> bool:
        """True when SECRET_KEY was not set and this process drew its own."""
        return "secret_key" not in self.model_fields_set

    @model_validator(mode="after")
    def _strong_secret_key(self) -> Self:
        # The messages state the rule, never the value.
        if self.secret_key_generated:
            if self.environment == "production":
                raise ValueError(
                    "SECRET_KEY must be set when ENVIRONMENT=production (at least "
                    f"{SECRET_KEY_MIN_LENGTH} random characters, e.g. the output of `openssl rand -hex 32`)"
                )
            return self
        key = self.secret_key.get_secret_value()
        if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_DISTINCT:
            raise ValueError(
                f"SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
                f"{SECRET_KEY_MIN_DISTINCT} of them different (e.g. the output of `openssl rand -hex 32`)"
            )
        return self

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
