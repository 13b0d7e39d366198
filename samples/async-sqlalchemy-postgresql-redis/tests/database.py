"""How the tests reach the database with SQLAlchemy 2: schema, cleanup, statement counting."""

import asyncio
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import event, text

from app.models.common import Base
from tests.config import TEST_DATABASE_URL

PROJECT_ROOT = Path(__file__).parent.parent

# Listing posts: the posts joined with their authors, all their tags in one query, the total.
POST_LIST_STATEMENTS = 3


async def run_alembic(name: str, *args: str) -> None:
    """Run the Alembic command `name` (e.g. "upgrade", "head") against the test database.

    In a worker thread: migrations/env.py runs its own event loop.
    """
    config = Config(PROJECT_ROOT / "alembic.ini")
    # configparser treats "%" as interpolation: escape it in passwords.
    config.set_main_option("sqlalchemy.url", TEST_DATABASE_URL.replace("%", "%%"))
    await asyncio.to_thread(getattr(command, name), config, *args)


async def create_schema(app: FastAPI) -> None:
    # Connect first: an unreachable server fails here, fast, with the driver's own error.
    async with app.state.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    await run_alembic("upgrade", "head")


async def empty_tables(app: FastAPI) -> None:
    async with app.state.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


def count_queries(app: FastAPI) -> AbstractContextManager[list[str]]:
    """Record the SQL statements the application sends while the context is open."""
    engine = app.state.engine.sync_engine

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counter()
