"""Log configuration: every logger (the service's and uvicorn's) writes through one handler.

Lines are JSON in production (or with LOG_FORMAT=json), for a log collector to parse, and
readable text elsewhere. The standard library suffices: one small formatter, no extra
dependency, and uvicorn's loggers already speak `logging`. Each record carries the id of
the request it was logged in (`request_id`, app/core/request_log.py).
"""

import json
import logging
import sys
import time
from contextvars import ContextVar
from typing import IO, Literal

from app.core.config import Settings

LogFormat = Literal["text", "json"]

# The id of the request being served, "-" outside requests (startup, background tasks).
request_id: ContextVar[str] = ContextVar("request_id", default="-")

# Fields a record may carry beyond the message, written as JSON keys of their own: a request line's
# (app/core/request_log.py), and the trace's when tracing is on (app/core/tracing.py).
RECORD_FIELDS = ("method", "route", "status", "duration_ms", "trace_id", "span_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# Made once: `json.dumps` with an argument builds a new encoder per call.
encode_json = json.JSONEncoder(default=str).encode
# Installed by `configure_logging`; replaced, never duplicated, when it runs again (tests create several apps).
HANDLER_NAME = "app"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and any record fields.

    It runs once per request, so it does the least it can: one encoder made once, and the time's
    date and seconds formatted once per second (lines in the same second share them).
    """

    def __init__(self) -> None:
        super().__init__()
        self._second: tuple[int, str] = (-1, "")

    def utc_time(self, created: float) -> str:
        """`created` as ISO 8601 in UTC, to the millisecond: 2026-01-31T12:00:00.123+00:00."""
        second = int(created)
        cached_second, prefix = self._second
        if second != cached_second:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = (second, prefix)
        return f"{prefix}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": self.utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        fields = record.__dict__
        for field in RECORD_FIELDS:
            if field in fields:
                line[field] = fields[field]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return encode_json(line)


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
    """Route every logger through one handler on the root logger, at LOG_LEVEL.

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
    root.setLevel(settings.log_level)
    # Also on the service's own loggers, so a later configuration raising the root's level (a migration
    # tool's, when tests migrate in-process) cannot silence the request lines.
    logging.getLogger("app").setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(settings.log_level)  # uvicorn's --log-level would otherwise win
    logging.getLogger("uvicorn.access").disabled = True
