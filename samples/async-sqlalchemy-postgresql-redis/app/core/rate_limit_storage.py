"""Where rate-limit counters live: in Redis (REDIS_URL), so every process and replica shares them.

Every call is bounded like the cache's (REDIS_SOCKET_TIMEOUT, the wait for a pooled
connection too), on a pool of its own: the limits need the asyncio client in every stack.
A failure reaches app.core.rate_limit as `limits`' StorageError, and the request is
served (fail open).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from limits.aio.storage import RedisStorage, Storage
from redis.asyncio import BlockingConnectionPool

from app.core.cache import bounded_pool_options
from app.core.config import Settings


@asynccontextmanager
async def rate_limit_storage(settings: Settings) -> AsyncIterator[Storage]:
    pool = BlockingConnectionPool.from_url(settings.redis_url, **bounded_pool_options(settings))
    # redis-py's asyncio client, which the service already installs (limits defaults to coredis).
    options: dict[str, Any] = {"implementation": "redispy", "connection_pool": pool}
    try:
        yield RedisStorage(
            f"async+{settings.redis_url}",
            wrap_exceptions=True,
            key_prefix=f"{settings.cache_key_prefix}:limits",
            **options,
        )
    finally:
        await pool.aclose()
