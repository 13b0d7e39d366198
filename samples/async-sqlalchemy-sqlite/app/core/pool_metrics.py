"""The database pool's series (SQLAlchemy's pool): connections in use, waits, timeouts.

Served with the others at /metrics (app/core/metrics.py).
"""

from asyncio import timeout
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import Counter, Gauge
from starlette.datastructures import State

DB_POOL_IN_USE = Gauge(
    "db_pool_connections_in_use",
    "Pooled connections checked out, as last seen by the process answering the scrape",
    multiprocess_mode="liveall",
)
DB_POOL_WAITING = Gauge("db_pool_waiting", "Requests waiting for a database connection", multiprocess_mode="livesum")
DB_POOL_TIMEOUTS = Counter("db_pool_timeouts_total", "Requests that gave up waiting for a connection (DB_POOL_TIMEOUT)")


@asynccontextmanager
async def waiting_for_connection(seconds: float) -> AsyncIterator[None]:
    """Bound a wait for a connection to `seconds` (then TimeoutError), counted in the pool series."""
    DB_POOL_WAITING.inc()
    try:
        async with timeout(seconds):
            yield
    except TimeoutError:
        DB_POOL_TIMEOUTS.inc()
        raise
    finally:
        DB_POOL_WAITING.dec()


def observe_pool(state: State) -> None:
    """Read what only the pool knows, at scrape time: nothing to count per request."""
    DB_POOL_IN_USE.set(state.engine.pool.checkedout())
