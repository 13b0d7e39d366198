"""One log line and one set of metrics per request, and its request id.

The id comes from the client's `X-Request-ID` when that is a plausible id, otherwise it
is generated; it is returned in the response's `X-Request-ID` and stamped on every log
line of the request (app/core/logging.py), so one call can be followed through the logs
and matched with what the client saw. The line names the route template, never the path,
query, headers or body: nothing a client sent there (ids, tokens, passwords) is logged.
"""

import logging
import os
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics
from app.core.logging import RequestRecord, log_directly, request_id

logger = logging.getLogger("app.requests")

HEADER = b"x-request-id"
VALID_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")
# Any other method a client invents is labelled OTHER, so it cannot create series either.
# Logged (as nginx does) for a request cancelled before any response, e.g. at a forced shutdown.
CLIENT_GONE = 499
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def incoming_id(scope: Scope) -> str:
    """The client's request id if it is valid, otherwise a new one."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for name, value in headers:
        if name == HEADER:
            if VALID_ID.fullmatch(value):
                return value.decode()
            break
    return os.urandom(16).hex()  # as random as uuid4().hex, at a fifth of the cost


def route_template(scope: Scope) -> str:
    """The path template of the route that served the request (the router notes it in the scope)."""
    path: object = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else metrics.UNMATCHED_ROUTE


class RequestLog:
    """Pure ASGI middleware (no per-request task or body buffering, unlike BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, metrics_enabled: bool) -> None:
        self.app = app
        self.metrics_enabled = metrics_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        current_id = incoming_id(scope)
        token = request_id.set(current_id)
        # The status sent; if none was, 500 for an error, CLIENT_GONE for a request cancelled meanwhile.
        status: int | None = None
        failed = False

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), (HEADER, current_id.encode())]}
            await send(message)

        if self.metrics_enabled:
            metrics.IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            failed = True
            # Answer the 500 here, so it carries the id too. The id stays set for the rest of this
            # request's task: the server's own log of the exception is stamped with it.
            if status is None:
                await send_with_id(_internal_error_start())
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
            raise
        finally:
            self._finish(scope, status or (500 if failed else CLIENT_GONE), started)
            if not failed:
                request_id.reset(token)

    def _finish(self, scope: Scope, status: int, started: float) -> None:
        duration = time.perf_counter() - started
        method = scope["method"] if scope["method"] in METHODS else "OTHER"
        route = route_template(scope)
        if self.metrics_enabled:
            metrics.IN_FLIGHT.dec()
            metrics.observe_request(method, route, status, duration)
        if logger.isEnabledFor(logging.INFO):
            log_directly(logger, request_record(method, route, status, round(duration * 1000, 2)))


def request_record(method: str, route: str, status: int, duration_ms: float) -> logging.LogRecord:
    """The request's line, its fields as attributes (JSON keys of their own, app/core/logging.py).

    Made here rather than by `logger.info(..., extra=...)`, which would also search the call stack
    for its caller, on every request, to note a file and line that are always these. A record
    factory of someone else's (tracing's, which adds trace ids) makes it the usual way.
    """
    factory = logging.getLogRecordFactory()
    if factory is logging.LogRecord:
        return RequestRecord(method, route, status, duration_ms)
    args = (method, route, status, duration_ms)
    record = factory(logger.name, logging.INFO, __file__, 0, RequestRecord.msg, args, None)
    record.method, record.route, record.status, record.duration_ms = method, route, status, duration_ms
    return record


def _internal_error_start() -> Message:
    return {
        "type": "http.response.start",
        "status": 500,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"21")],
    }
