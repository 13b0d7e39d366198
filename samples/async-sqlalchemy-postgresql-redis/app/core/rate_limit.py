"""Rate limits with the `limits` library: per client address on writes, per name on sign-ups and logins.

Fixed windows: one counter per key and one storage call per limited request (an increment
that sets the expiry), so a limit costs the same however large it is. A client can spend
up to twice a limit across the boundary of two windows; a moving window would prevent
that by storing one entry per request, which costs memory and time in proportion to the limit.

Only writes are limited, and a read never reaches the storage. When the storage fails, the
request is served unlimited (fail open: limits protect the service, they must not take it
down), one warning is logged per LOG_INTERVAL, and the storage is left alone for
PAUSE_AFTER_ERROR seconds so a failing storage costs one bounded wait per pause.
"""

import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from ipaddress import ip_address
from typing import Any, Literal

from fastapi import Depends, FastAPI, Request
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError

from app.core.config import Settings
from app.core.metrics import RATE_LIMIT_REJECTIONS
from app.core.rate_limit_storage import rate_limit_storage

logger = logging.getLogger(__name__)

LimitName = Literal["writes", "signup", "login"]
# Seconds between two warnings about a failing storage.
LOG_INTERVAL = 60.0
# Seconds without any storage call after one failed.
PAUSE_AFTER_ERROR = 1.0


class RateLimitedError(Exception):
    """Over a limit: answered 429, with the headers `headers` gives (app.api.errors)."""

    def __init__(self, limit: RateLimitItem, reset_at: float) -> None:
        super().__init__("Too many requests, please retry later")
        self.limit = limit
        self.reset_at = reset_at

    def headers(self) -> dict[str, str]:
        seconds = str(max(1, math.ceil(self.reset_at - time.time())))
        return {
            "Retry-After": seconds,
            "RateLimit-Limit": str(self.limit.amount),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": seconds,
        }


class RateLimiter:
    """The service's limits, counted in `storage` (None when RATE_LIMIT_ENABLED is false)."""

    def __init__(self, storage: Storage | None, settings: Settings) -> None:
        self._strategy = FixedWindowRateLimiter(storage) if storage is not None else None
        self.limits: dict[LimitName, RateLimitItem] = {
            "writes": parse(settings.rate_limit_writes),
            "signup": parse(settings.rate_limit_signup),
            "login": parse(settings.rate_limit_login),
        }
        self.trusted_proxies = settings.trusted_proxies
        self._paused_until = 0.0  # time.monotonic() before which the storage is not called
        self._next_warning = 0.0

    async def hit(self, name: LimitName, key: str) -> None:
        """Count one request of `key` (e.g. "client:203.0.113.7") against the limit `name`.

        Raises `RateLimitedError` when it is over; serves it when the storage fails.
        """
        if self._strategy is None or time.monotonic() < self._paused_until:
            return
        limit = self.limits[name]
        try:
            if await self._strategy.hit(limit, name, key):
                return
            stats = await self._strategy.get_window_stats(limit, name, key)
        except StorageError as error:
            self._failed(error)
            return
        RATE_LIMIT_REJECTIONS.labels(name).inc()
        raise RateLimitedError(limit, stats.reset_time)

    async def hit_account(self, name: LimitName, account: str) -> None:
        """Count one attempt on `account` (a username or email, as the client typed it) against `name`.

        Per account as well as per client: guessing one account's password from many addresses
        is still limited. Case is ignored, as names are stored in lowercase.
        """
        await self.hit(name, f"account:{account.strip().lower()}")

    def _failed(self, error: StorageError) -> None:
        now = time.monotonic()
        self._paused_until = now + PAUSE_AFTER_ERROR
        if now >= self._next_warning:
            self._next_warning = now + LOG_INTERVAL
            logger.warning(
                "rate limits not enforced, their storage failed (next warning in %.0f s at most): %r",
                LOG_INTERVAL,
                error.storage_error,
            )

    def _trusted(self, address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.trusted_proxies)

    def client_address(self, request: Request) -> str:
        """The peer's address; behind a trusted proxy, the rightmost X-Forwarded-For address that is not
        one of TRUSTED_PROXIES (addresses further left were written by the client and may be forged)."""
        peer = request.client.host if request.client else "unknown"
        if not self._trusted(peer):
            return peer
        forwarded = [
            address.strip()
            for header in request.headers.getlist("x-forwarded-for")
            for address in header.split(",")
            if address.strip()
        ]
        for address in reversed(forwarded):
            if not self._trusted(address):
                return address
        return forwarded[0] if forwarded else peer


@asynccontextmanager
async def rate_limit_lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    if not settings.rate_limit_enabled:
        app.state.rate_limiter = RateLimiter(None, settings)
        yield
        return
    async with rate_limit_storage(settings) as storage:
        app.state.rate_limiter = RateLimiter(storage, settings)
        yield


def get_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def rate_limit(name: LimitName) -> Any:
    """A dependency counting each request of the client against the limit `name`.

    Async in every stack, so the storage call never takes a worker thread. The write limit is
    given to each router's writes (app/api/routing.py).
    """

    async def check(request: Request) -> None:
        limiter = get_rate_limiter(request)
        await limiter.hit(name, f"client:{limiter.client_address(request)}")

    return Depends(check)


LIMIT_WRITES = rate_limit("writes")
LIMIT_SIGNUP = rate_limit("signup")
