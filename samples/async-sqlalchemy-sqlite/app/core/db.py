"""Engine and sessions: one engine per application, one session per request.

The engine is created when the application starts and disposed when it stops
(see `database_lifespan`); `app.api.deps.SessionDep` hands each request its own
session. `transaction` commits a request's writes together (`app.services` uses it);
whatever was not committed is rolled back when the session closes.
A session takes a pooled connection only when it first talks to the database,
so cache hits and password hashing hold none (see `app.core.pool`).
"""

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import CancelScope
from fastapi import FastAPI, Request
from sqlalchemy import Engine, ExceptionContext, event, text
from sqlalchemy.exc import DBAPIError, InterfaceError, InvalidatePoolError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from app.core.config import Settings
from app.core.pool import FairQueuePool

logger = logging.getLogger(__name__)

# The database cannot be reached (refused, dropped, frozen, pool exhausted): answered with 503.
# A request that waits longer than DB_POOL_TIMEOUT for a connection, or a query that runs longer than
# DB_COMMAND_TIMEOUT, gets TimeoutError, an OSError. Any other DBAPIError is 503 only when SQLAlchemy
# invalidated its connection (see `is_unavailable`): the driver said the connection is gone.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    OSError,
    DBAPIError,
)


def is_unavailable(error: Exception) -> bool:
    """Whether `error` (one of UNAVAILABLE_ERRORS) means the database is out of reach.

    A driver may report a server going away ("the database system is shutting down",
    "terminating connection due to administrator command") as neither OperationalError nor
    InterfaceError; what tells it from a bad statement is that the dialect found the connection
    closed (`is_disconnect`), so SQLAlchemy invalidated it.
    """
    if isinstance(error, DBAPIError) and not isinstance(error, (OperationalError, InterfaceError)):
        return error.connection_invalidated
    return True


DbSession = AsyncSession

# A pooled connection back in use within this many seconds of its last use is not pinged:
# it answered a moment ago. Under load that is every checkout, and the ping a round trip.
PING_AFTER_IDLE_SECONDS = 1.0


def _driver_timeouts(settings: Settings) -> dict[str, Any]:
    """Client-side bounds on connecting and on every query, so a frozen server cannot hang a request.

    A stopped (SIGSTOP) or partitioned server still has its kernel acknowledge TCP, so only the
    client can tell that no answer is coming.
    """
    timeout = settings.db_command_timeout
    # SQLite is a file: nothing to wait for but the lock (its own busy timeout).
    del timeout
    return {}


def _discard_broken_connections(engine: Engine) -> None:
    """Treat a failed connect and a timed-out query as a lost connection.

    SQLAlchemy then invalidates the connection (a timed-out query may still be running on it, so it
    must never be handed to another request) and `is_unavailable` answers 503.
    """

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        if context.connection is None or isinstance(context.original_exception, TimeoutError):
            context.is_disconnect = True


def create_db_engine(settings: Settings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url,
        connect_args=_driver_timeouts(settings),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        poolclass=FairQueuePool,
        echo=settings.db_echo,
        # Errors (logged with the 503s) and echoed statements leave out the values bound to the SQL,
        # which may hold personal data; DB_ECHO shows them, for debugging.
        hide_parameters=not settings.db_echo,
    )


def _ping_idle_connections(engine: Engine) -> None:
    """`pool_pre_ping`, skipped for connections that were in use a moment ago.

    A connection that fails its ping is replaced before the session gets it, and the
    rest of the pool is renewed (the server probably restarted).
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_: Any, record: ConnectionPoolEntry) -> None:
        record.info["last_used"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _: Any) -> None:
        if time.monotonic() - record.info.get("last_used", 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise InvalidatePoolError(f"ping failed: {error}") from error


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        # SQLite ignores foreign keys unless asked; WAL lets readers run beside a writer.
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@asynccontextmanager
async def database_lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    engine = create_db_engine(settings)
    _ping_idle_connections(engine.sync_engine)
    _discard_broken_connections(engine.sync_engine)
    _configure_sqlite(engine.sync_engine)
    app.state.engine = engine
    # expire_on_commit=False: what a handler just wrote stays readable without a reload.
    app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        yield
    finally:
        await engine.dispose()


async def close_session(session: AsyncSession) -> None:
    """Close `session`: its connection goes back to the pool, what was not committed is rolled back.

    After a successful request this runs once the response is sent. A connection lost by then (the
    server shut down or froze since the request's last query) holds nothing to roll back, as the
    server drops uncommitted work with it, and SQLAlchemy has invalidated it. Raising would only
    make the server close the client's keep-alive connection, cutting off a request the client may
    already have sent on it.
    """
    try:
        await session.close()
    except UNAVAILABLE_ERRORS as error:
        if not is_unavailable(error):
            raise
        logger.warning("connection lost while closing a session: %r", error)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    state = request.app.state
    new_session = state.sessionmaker
    session = new_session()
    try:
        yield session
    finally:
        # Returns the connection to the pool, rolling back what was not committed. Shielded: a
        # close cut short by a client hanging up would leave the connection mid-operation.
        with CancelScope(shield=True):
            await close_session(session)


@asynccontextmanager
async def transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The unit of work of a request: what the block writes is committed once, when it succeeds.

    On an error nothing is committed, and `get_session` rolls the session back as it closes
    it (shielded there: a rollback cut short by a client hanging up would leave the
    connection mid-operation). Yields the session the block's data access runs on.
    """
    yield session
    await session.commit()


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))
