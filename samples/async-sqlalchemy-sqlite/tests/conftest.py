"""Fixtures: a migrated test database, the app running its lifespan, HTTP clients.

Each test starts from empty tables, so tests are independent of each other and
of their order.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager

import httpx
import pytest
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core import security
from app.core.config import get_settings
from app.core.db import UNAVAILABLE_ERRORS
from app.main import create_app
from tests import config, database

QueryCounter = Callable[[], AbstractContextManager[list[str]]]


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 at its minimum cost: tests check behaviour, not hash strength (a real hash takes ~0.1 s)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "_hasher", PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),)))
        yield


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[FastAPI]:
    if get_settings().database_url == config.TEST_DATABASE_URL:
        pytest.exit("TEST_DATABASE_URL must not be the development database (DATABASE_URL)", returncode=2)
    application = create_app(config.settings_for_tests())
    async with application.router.lifespan_context(application):
        try:
            await database.create_schema(application)
        except UNAVAILABLE_ERRORS as error:
            pytest.exit(
                f"Cannot reach the test database ({error.__class__.__name__}: {error}). Start the server, "
                "or point TEST_DATABASE_URL at a database whose tables the tests may empty.",
                returncode=2,
            )
        yield application


@pytest.fixture(autouse=True)
async def _empty_tables(app: FastAPI) -> None:
    await database.empty_tables(app)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http_client:
        yield http_client


@pytest.fixture
def count_queries(app: FastAPI) -> QueryCounter:
    """`with count_queries() as statements:` records the SQL statements sent meanwhile."""
    return lambda: database.count_queries(app)


@pytest.fixture
async def unreachable_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose database cannot be reached."""
    application = create_app(config.settings_for_tests(database_url=config.UNREACHABLE_DATABASE_URL, db_pool_timeout=1))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http_client:
            yield http_client
