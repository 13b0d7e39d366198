"""A Redis store of cached answers, with generation-based invalidation, cache-aside.

It stores bytes (the public JSON an endpoint answers), never ORM objects, so it
knows nothing of the data-access layer or of HTTP: app/core/cache_entries.py says
what is cached and what each change renews, app/api/caching.py turns that into
responses and router dependencies. An entry is stored with a stamp of the
*generations* it depends on, and is served only while they are unchanged; every
entry also depends on `epoch`. Renewing a generation (a random value, see
`invalidate`) turns every entry stamped with its old value into a miss. A read
takes the stamp *before* it loads from the database, so an answer loaded while a
write commits is stored under the old stamp, never served.

Redis down or slow: every call is bounded by the socket timeouts (a timeout is not
retried: a Redis that is too slow once is too slow twice), the failure is logged,
and the request is served from the database. After a timeout the process leaves
Redis alone for PAUSE_AFTER_TIMEOUT seconds, so a frozen Redis costs one wait per
pause, not one per request (a sync request would hold its database session slot
while it waits). A write still succeeds when its invalidation is lost that way; the
process then trusts nothing cached until it has renewed `epoch`: before its next
cache read, and every second in the background so other processes stop serving what
the write changed as soon as Redis answers. Only a process that ends before Redis
comes back leaves its lost invalidations to CACHE_TTL_SECONDS.
"""

import asyncio
import contextlib
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from prometheus_client import Counter
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.core.config import Settings

logger = logging.getLogger(__name__)

# Every entry depends on it: renewing it drops the whole cache, after invalidations were lost.
EPOCH = "epoch"
# Seconds between the background attempts to renew the epoch while Redis is unreachable.
RECOVERY_INTERVAL = 1.0
# Seconds without any Redis call after one timed out (see the module docstring).
PAUSE_AFTER_TIMEOUT = 1.0

# result: "hit", "miss", or "bypassed" (Redis failed or is paused: the database answered).
CACHE_LOOKUPS = Counter("cache_lookups_total", "Cached reads looked up, by result", ["result"])
# operation: "lookup", "store", "invalidate" or "recover" (renewing the epoch).
CACHE_ERRORS = Counter("cache_errors_total", "Redis calls that failed, by operation", ["operation"])


@dataclass(frozen=True)
class Entry:
    """A cached answer: its key and the generations it depends on (besides `epoch`)."""

    key: str
    generations: tuple[str, ...]


@dataclass(frozen=True)
class Lookup:
    entry: Entry
    # The generations read along with the entry; None if Redis failed, and then nothing is stored.
    stamp: bytes | None
    body: bytes | None = None  # the cached answer, when current


class Cache:
    """Cache-aside reads and generation-based invalidation; a Redis failure never fails the request."""

    def __init__(
        self, client: Redis, *, prefix: str, ttl_seconds: int, pause_after_timeout: float = PAUSE_AFTER_TIMEOUT
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self.pause_after_timeout = pause_after_timeout
        self._paused_until = 0.0  # time.monotonic() before which Redis is not called
        # Invalidations lost so far, and how many of them a renewal of the epoch made up for
        # (both changed under the lock: requests may run in threads).
        self._losses = 0
        self._made_up = 0
        self._count_lock = threading.Lock()
        # One renewal at a time: a second one, racing the first, would drop what a read cached in between.
        self._renewal = asyncio.Lock()

    @property
    def lost(self) -> int:
        """Invalidations lost since the epoch was last renewed."""
        return self._losses - self._made_up

    def _paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def _failed(self, error: RedisError, operation: str) -> None:
        CACHE_ERRORS.labels(operation).inc()
        if isinstance(error, RedisTimeoutError):
            self._paused_until = time.monotonic() + self.pause_after_timeout

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def generation_key(self, generation: str) -> str:
        return self.key(f"gen:{generation}")

    async def lookup(self, entry: Entry) -> Lookup:
        """The cached answer of `entry` if it is current; otherwise what `store` needs to cache a fresh one."""
        if self._paused() or (self.lost and not await self.recover()):
            CACHE_LOOKUPS.labels("bypassed").inc()
            return Lookup(entry, stamp=None)
        keys = [self.key(entry.key), *map(self.generation_key, (EPOCH, *entry.generations))]
        try:
            value, *generations = await self.client.mget(keys)
        except RedisError as error:
            self._failed(error, "lookup")
            logger.warning("cache unavailable, reading %s from the database: %r", entry.key, error)
            CACHE_LOOKUPS.labels("bypassed").inc()
            return Lookup(entry, stamp=None)
        # The client returns bytes (no decode_responses); a generation never renewed reads as "0".
        stamp = b".".join(generation if isinstance(generation, bytes) else b"0" for generation in generations)
        if isinstance(value, bytes):
            stored_stamp, _, body = value.partition(b" ")
            if stored_stamp == stamp:
                CACHE_LOOKUPS.labels("hit").inc()
                return Lookup(entry, stamp, body)
        CACHE_LOOKUPS.labels("miss").inc()
        return Lookup(entry, stamp)

    async def store(self, lookup: Lookup, body: bytes) -> None:
        """Cache `body` under the stamp of `lookup`, unless Redis failed when it was looked up."""
        if lookup.stamp is not None and not self._paused():
            try:
                await self.client.set(self.key(lookup.entry.key), lookup.stamp + b" " + body, ex=self.ttl_seconds)
            except RedisError as error:
                self._failed(error, "store")
                logger.warning("cache unavailable, %s not cached: %r", lookup.entry.key, error)

    async def invalidate(self, generations: Iterable[str]) -> None:
        """Renew `generations`: every entry stamped with their old values becomes a miss.

        Random values, not counters: a counter that expired and started over could
        repeat a value an old entry was stamped with. Generations live twice as long
        as entries, so none expires while an entry stamped before its renewal lives.
        """
        losses = self._losses
        renews_epoch = losses > self._made_up
        names = [*generations, EPOCH] if renews_epoch else list(generations)
        if self._paused():
            self._lose(names, "paused after a timeout")
            return
        try:
            async with self.client.pipeline(transaction=False) as pipeline:
                for name in names:
                    pipeline.set(self.generation_key(name), secrets.token_hex(8), ex=2 * self.ttl_seconds)
                await pipeline.execute()
        except RedisError as error:
            self._failed(error, "invalidate")
            self._lose(names, repr(error))
            return
        if renews_epoch:
            self._made_up_for(losses)

    async def recover(self) -> bool:
        """Renew the epoch if invalidations were lost; False while Redis is still unreachable."""
        if self._paused():
            return False
        async with self._renewal:
            losses = self._losses
            if losses == self._made_up:
                return True  # nothing lost, or renewed by the call this one waited for
            try:
                await self.client.set(self.generation_key(EPOCH), secrets.token_hex(8), ex=2 * self.ttl_seconds)
            except RedisError as error:
                self._failed(error, "recover")
                logger.warning("cache unavailable, epoch not renewed: %r", error)
                return False
            self._made_up_for(losses)
        return True

    def _lose(self, names: list[str], reason: str) -> None:
        with self._count_lock:
            self._losses += 1
        logger.warning("cache unavailable, %s not invalidated (epoch renewed once it answers): %s", names, reason)

    def _made_up_for(self, losses: int) -> None:
        # Only the losses counted before the renewal: one counted since may concern a write it preceded.
        with self._count_lock:
            made_up = losses - self._made_up
            self._made_up = max(self._made_up, losses)
        if made_up > 0:
            logger.info("cache available again: epoch renewed after %s lost invalidation(s)", made_up)

    async def ping(self) -> bool:
        try:
            return bool(await self.client.ping())
        except RedisError:
            return False


def bounded_pool_options(settings: Settings) -> dict[str, Any]:
    """Options of a `BlockingConnectionPool` whose every call, and every wait for a connection, is bounded."""
    return {
        "max_connections": settings.redis_max_connections,
        # Waiting for a free connection is bounded like any other Redis call.
        "timeout": settings.redis_socket_timeout,
        "socket_timeout": settings.redis_socket_timeout,
        "socket_connect_timeout": settings.redis_socket_connect_timeout,
        "health_check_interval": settings.redis_health_check_interval,
    }


def create_redis_client(settings: Settings) -> Redis:
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        **bounded_pool_options(settings),
        # One immediate retry survives a dropped idle connection; retrying a timeout would only double the wait.
        retry=Retry(NoBackoff(), retries=1, supported_errors=(RedisConnectionError,)),
    )
    return Redis.from_pool(pool)


@asynccontextmanager
async def cache_lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    client = create_redis_client(settings)
    cache = Cache(client, prefix=settings.cache_key_prefix, ttl_seconds=settings.cache_ttl_seconds)
    if not await cache.ping():
        logger.warning("Redis is unreachable at startup: serving from the database until it answers")
    app.state.cache = cache
    recovery = asyncio.create_task(_recover_in_background(cache))
    try:
        yield
    finally:
        recovery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await recovery
        await client.aclose()


async def _recover_in_background(cache: Cache) -> None:
    """Renew the epoch as soon as Redis answers, even if this process serves no cached read meanwhile."""
    while True:
        await asyncio.sleep(RECOVERY_INTERVAL)
        if cache.lost:
            await cache.recover()
