"""Graceful shutdown: a drain period between the stop signal and uvicorn's own shutdown.

At SIGTERM uvicorn stops listening at once, then closes every connection that has no request in
progress, even one whose request has arrived but is not read yet: that client is cut off, its
request sent and never answered. So the first SIGTERM (or SIGINT) is held back for
`SHUTDOWN_DRAIN_SECONDS`: the service keeps serving meanwhile, `/health/ready` answers 503 so load
balancers stop sending it traffic, and every response carries `Connection: close` so clients leave
their keep-alive connections. While requests still arrive after that (an overloaded service may
take seconds to accept the ones already sent), the drain goes on until none has for QUIET_SECONDS,
at most twice as long in all. Then uvicorn gets the signal and shuts down as usual: requests in
flight finish, the lifespan closes the pool. A second signal passes on at once.
"""

import asyncio
import logging
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
QUIET_SECONDS = 1.0
SignalHandler = Callable[[int, FrameType | None], Any]


class Drain:
    """Whether the service is draining, and the server's stop signals it holds back meanwhile."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.draining = False
        # Monotonic time of the last request that arrived while draining.
        self.last_arrival = 0.0
        self._held: dict[int, SignalHandler] = {}
        self._pass_on_later: asyncio.TimerHandle | None = None

    @asynccontextmanager
    async def holding_signals(self) -> AsyncIterator[None]:
        """While the app runs (its lifespan), stand between the stop signals and the server's handlers.

        Only handlers a server installed are held back (uvicorn's): in a process whose signals keep
        Python's defaults (tests, a REPL) nothing changes, and neither with a drain of 0 seconds.
        """
        if self.seconds <= 0 or threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()

        def on_signal(sig: int, frame: FrameType | None) -> None:
            # Runs between two bytecodes of whatever the main thread was doing: only hand over to the loop.
            loop.call_soon_threadsafe(self._signalled, sig)

        for sig in STOP_SIGNALS:
            handler = signal.getsignal(sig)
            if callable(handler) and handler is not signal.default_int_handler:
                self._held[sig] = handler
                signal.signal(sig, on_signal)
        try:
            yield
        finally:
            for held, handler in self._held.items():
                if signal.getsignal(held) == on_signal:
                    signal.signal(held, handler)
            self._held.clear()
            if self._pass_on_later is not None:
                self._pass_on_later.cancel()

    def _signalled(self, sig: int) -> None:
        if self.draining:
            self._pass_on(sig)
            return
        self.draining = True
        started = time.monotonic()
        logger.warning(
            "%s received: draining for %g s (/health/ready answers 503), then stopping; send it again to stop now",
            signal.Signals(sig).name,
            self.seconds,
        )
        self._check_later(self.seconds, sig, deadline=started + 2 * self.seconds)

    def _check_later(self, delay: float, sig: int, deadline: float) -> None:
        # Called on the loop (from `_signalled` or a timer it set), so the running loop is the app's.
        self._pass_on_later = asyncio.get_running_loop().call_later(delay, self._end_once_quiet, sig, deadline)

    def _end_once_quiet(self, sig: int, deadline: float) -> None:
        """Pass the signal on once no request has arrived for QUIET_SECONDS, or at the deadline."""
        end = min(self.last_arrival + QUIET_SECONDS, deadline)
        now = time.monotonic()
        if now >= end:
            self._pass_on(sig)
        else:
            self._check_later(end - now, sig, deadline)

    def _pass_on(self, sig: int) -> None:
        if self._pass_on_later is not None:
            self._pass_on_later.cancel()
            self._pass_on_later = None
        if handler := self._held.get(sig):
            handler(sig, None)


class CloseWhileDraining:
    """Pure ASGI middleware: while draining, notes each request's arrival (the drain lasts while they
    keep coming) and makes its response ask the client to close the connection.

    Outside a drain it costs one attribute check per request.
    """

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.drain.draining or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.drain.last_arrival = time.monotonic()

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)
