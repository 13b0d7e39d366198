"""Log configuration: every logger (the service's and uvicorn's) writes through one handler.

Lines are JSON in production (or with LOG_FORMAT=json), for a log collector to parse, and
readable text elsewhere. The standard library suffices: one small formatter, no extra
dependency, and uvicorn's loggers already speak `logging`. Each record carries the id of
the request it was logged in (`request_id`, app/core/request_log.py).
"""

import json
import logging
import os
import sys
import threading
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
# A request's JSON line (JsonFormatter.request_line); `%r` writes a float as the JSON encoder does.
REQUEST_LINE = (
    '{"time": "%s", "level": "INFO", "logger": "app.requests", "message": "%s %s %s %.2f ms", "request_id": %s, '
    '"method": "%s", "route": "%s", "status": %s, "duration_ms": %r}'
)
# Made once: `json.dumps` with an argument builds a new encoder per call.
encode_json = json.JSONEncoder(default=str).encode
# What a request record's `relativeCreated` counts from.
LOGGING_STARTED = time.time()
# Installed by `configure_logging`; replaced, never duplicated, when it runs again (tests create several apps).
HANDLER_NAME = "app"


class RequestRecord(logging.LogRecord):
    """A request's line (app/core/request_log.py): a complete record at a fraction of the usual cost.

    One is made per request, so it sets only what varies and copies the rest. The usual
    constructor also works out the caller's file, module and process, which cost more than
    formatting the line.
    """

    msg = "%s %s %s %.2f ms"

    def __init__(self, method: str, route: str, status: int, duration_ms: float) -> None:
        # LogRecord's own constructor is skipped on purpose: between them, these set every attribute it would.
        self.__dict__.update(REQUEST_RECORD_FIELDS)
        self.created = created = time.time()
        self.msecs = int((created - int(created)) * 1000) + 0.0
        self.relativeCreated = (created - LOGGING_STARTED) * 1000
        self.thread = threading.get_ident()
        self.threadName = threading.current_thread().name
        self.process = os.getpid()
        multiprocessing = sys.modules.get("multiprocessing")  # as LogRecord does: not imported for this
        self.processName = multiprocessing.current_process().name if multiprocessing else "MainProcess"
        self.args = (method, route, status, duration_ms)
        self.method, self.route, self.status, self.duration_ms = method, route, status, duration_ms


# The attributes every request's record has in common (formatters read a record's __dict__).
REQUEST_RECORD_FIELDS = {
    "name": "app.requests",
    "msg": RequestRecord.msg,
    "levelno": logging.INFO,
    "levelname": "INFO",
    "pathname": os.path.join(os.path.dirname(__file__), "request_log.py"),
    "filename": "request_log.py",
    "module": "request_log",
    "lineno": 0,
    "funcName": "_finish",
    "exc_info": None,
    "exc_text": None,
    "stack_info": None,
    "taskName": None,
}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and any record fields.

    It runs once per request, so it does the least it can: one encoder made once, the time's date
    and seconds formatted once per second (lines in the same second share them), and a request's
    line written out directly.
    """

    def __init__(self) -> None:
        super().__init__()
        self._second: tuple[int, str] = (-1, "")
        self._json_routes: dict[str, str] = {}

    def utc_time(self, created: float) -> str:
        """`created` as ISO 8601 in UTC, to the millisecond: 2026-01-31T12:00:00.123+00:00."""
        second = int(created)
        cached_second, prefix = self._second
        if second != cached_second:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = (second, prefix)
        return f"{prefix}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        if type(record) is RequestRecord:
            return self.request_line(record)
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

    def request_line(self, record: RequestRecord) -> str:
        """What `format` makes of a request's record, written out directly: the same keys in the same order."""
        route = self._json_routes.get(record.route)
        if route is None:  # a route's template, escaped once: the only field that could need it
            route = self._json_routes[record.route] = encode_json(record.route)[1:-1]
        method, status, duration_ms = record.method, record.status, record.duration_ms
        request = encode_json(getattr(record, "request_id", "-"))
        time_ = self.utc_time(record.created)
        return REQUEST_LINE % (time_, method, route, status, duration_ms, request, method, route, status, duration_ms)


class TextFormatter(logging.Formatter):
    """A readable line; while tracing is on, it ends with the trace and span ids, as JSON lines carry them."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        trace_id = getattr(record, "trace_id", None)
        return line if trace_id is None else f"{line} trace_id={trace_id} span_id={getattr(record, 'span_id', '-')}"


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


def log_directly(logger: logging.Logger, record: logging.LogRecord) -> None:
    """`logger.handle(record)`, written straight to the service's handler when nothing else could see it.

    Logging's dispatch (each logger's filters and handlers up to the root, then the handler's
    filter) costs a request about as much as making and formatting its line, so the request
    lines skip it while the configuration is the one `configure_logging` made. Anything added
    to it (a handler, as pytest's caplog does; a filter; a logger that stops propagating)
    sends them the usual way again.
    """
    handler = sole_handler(logger)
    if handler is None:
        logger.handle(record)
        return
    record.request_id = request_id.get()  # what the handler's RequestIdFilter would do
    handler.acquire()
    try:
        handler.emit(record)
    finally:
        handler.release()


def sole_handler(logger: logging.Logger) -> StderrHandler | None:
    """The service's handler, if it is the only handler or filter a record of `logger` reaches."""
    node = logger
    while node.parent is not None:
        if node.handlers or node.filters or not node.propagate:
            return None
        node = node.parent
    if node.filters or len(node.handlers) != 1:
        return None
    handler = node.handlers[0]
    only_ours = [type(each) for each in handler.filters] == [RequestIdFilter]
    if type(handler) is StderrHandler and handler.level <= logging.INFO and only_ours:
        return handler
    return None


def create_handler(format_: LogFormat, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing lines in `format_` to `stream` (standard error, by default)."""
    handler = StderrHandler() if stream is None else logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if format_ == "json" else TextFormatter())
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
