"""Where rate-limit counters live: in Redis (REDIS_URL), so every process and replica shares them.

Every call is bounded like the cache's: REDIS_SOCKET_TIMEOUT, and the same bound on the wait
for a pooled connection. A failure reaches app.core.rate_limit as `limits`' StorageError,
and the request is served (fail open).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from limits.aio.storage import RedisStorage, Storage
from redis.asyncio import BlockingConnectionPool

from app.core.config import Settings


@asynccontextmanager
async def rate_limit_storage(settings: Settings) -> AsyncIterator[Storage]:
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_socket_timeout,
        socket_timeout=settings.redis_socket_timeout,
        socket_connect_timeout=settings.redis_socket_connect_timeout,
        health_check_interval=settings.redis_health_check_interval,
    )
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
