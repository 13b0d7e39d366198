"""Where rate-limit counters live: in this process's memory.

Each process counts on its own, so with N workers or replicas a client gets up to N
times each limit.
Counters expire with their window, so memory follows the clients of the last window.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from limits.aio.storage import MemoryStorage, Storage

from app.core.config import Settings


@asynccontextmanager
async def rate_limit_storage(settings: Settings) -> AsyncIterator[Storage]:
    yield MemoryStorage(wrap_exceptions=True)
