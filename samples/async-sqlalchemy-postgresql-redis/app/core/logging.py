"""Log configuration: every logger (the service's and uvicorn's) writes through one handler.

Lines are JSON in production (or with LOG_FORMAT=json), for a log collector to parse, and
readable text elsewhere. The standard library suffices: one small formatter, no extra
dependency, and uvicorn's loggers already speak `logging`. Each record carries the id of
the request it was logged in (`request_id`, app/core/request_log.py).
"""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Literal

from app.core.config import Settings

LogFormat = Literal["text", "json"]

# The id of the request being served, "-" outside requests (startup, background tasks).
request_id: ContextVar[str] = ContextVar("request_id", default="-")

# Fields a request line adds to its record (`extra=`), written as JSON keys of their own.
REQUEST_FIELDS = ("method", "route", "status", "duration_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# Installed by `configure_logging`; replaced, never duplicated, when it runs again (tests create several apps).
HANDLER_NAME = "app"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and any request fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for field in REQUEST_FIELDS:
            if field in record.__dict__:
                line[field] = record.__dict__[field]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def log_format(settings: Settings) -> LogFormat:
    if settings.log_format is not None:
        return settings.log_format
    return "json" if settings.environment == "production" else "text"


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time, as test runners swap it."""

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _: IO[str]) -> None:
        pass


def create_handler(format_: LogFormat, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing lines in `format_` to `stream` (standard error, by default)."""
    handler = StderrHandler() if stream is None else logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if format_ == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(settings: Settings) -> None:
    """Route every logger through one handler on the root logger, at INFO.

    Runs when the app is created, after uvicorn configured its own loggers: theirs lose their
    handlers and propagate to the root. uvicorn's access log is switched off, as each request's
    line (app/core/request_log.py) says more: route template, duration, request id.
    """
    root = logging.getLogger()
    for handler in [handler for handler in root.handlers if handler.name == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = create_handler(log_format(settings))
    handler.name = HANDLER_NAME
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Also on the service's own loggers, so a later configuration raising the root's level (a migration
    # tool's, when tests migrate in-process) cannot silence the request lines.
    logging.getLogger("app").setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
