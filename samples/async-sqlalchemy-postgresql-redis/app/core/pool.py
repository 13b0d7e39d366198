"""The connection pool, which hands out its connections in arrival order.

A request's session takes a connection only when it first talks to the database, so a
request answered from the cache, or hashing a password first, holds none meanwhile.
"""

import asyncio
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_only

from app.core.pool_metrics import waiting_for_connection


class ConnectionSlots:
    """At most `size` holders at once; the others wait in arrival order, `timeout` seconds at most."""

    def __init__(self, size: int, timeout: float) -> None:
        self._free = asyncio.Semaphore(size)  # serves its waiters in arrival order
        self._timeout = timeout

    async def acquire(self) -> None:
        """Take a slot, or raise TimeoutError (answered with 503) once `timeout` has passed."""
        if not self._free.locked():
            await self._free.acquire()  # returns at once: no timer needed
            return
        async with waiting_for_connection(self._timeout):
            await self._free.acquire()

    def release(self) -> None:
        self._free.release()


class FairQueuePool(AsyncAdaptedQueuePool):
    """SQLAlchemy's queue pool, with its waiters served first come, first served.

    The queue pool's own wait is not fair: a newcomer may take a returned connection ahead
    of requests already waiting, and under load some of those wait until they time out.
    Here every checkout first takes one of `pool_size + max_overflow` slots, in order, so
    the queue itself never makes anyone wait.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slots = ConnectionSlots(self.size() + self._max_overflow, self.timeout())

    def _do_get(self) -> ConnectionPoolEntry:
        await_only(self._slots.acquire())
        try:
            return super()._do_get()
        except BaseException:
            self._slots.release()
            raise

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        try:
            super()._do_return_conn(record)
        finally:
            self._slots.release()
