"""Fixtures: a migrated test database, the app running its lifespan, HTTP clients.

Each test starts from empty tables, so tests are independent of each other and
of their order.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager

import httpx
import pytest
import redis
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


def delete_test_keys(client: redis.Redis) -> None:
    """Delete this run's keys, and only those: the Redis may be shared (never FLUSHDB)."""
    keys = list(client.scan_iter(match=f"{config.TEST_CACHE_KEY_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="session")
def redis_client() -> Iterator[redis.Redis]:
    """A direct client of the test Redis, to look at the cache from outside the app."""
    client = redis.Redis.from_url(config.TEST_REDIS_URL, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        pytest.exit(
            f"Cannot reach the test Redis ({error.__class__.__name__}: {error}). Start redis-server, or point "
            "TEST_REDIS_URL at a Redis the tests may write to (they only touch keys under their own prefix).",
            returncode=2,
        )
    yield client
    delete_test_keys(client)
    client.close()


@pytest.fixture(autouse=True)
def _forget_cached_answers(redis_client: redis.Redis) -> None:
    # Emptied tables may hand out the same ids again (SQLite does): no cached answer may outlive its test.
    delete_test_keys(redis_client)


@pytest.fixture(scope="session")
async def app(redis_client: redis.Redis) -> AsyncIterator[FastAPI]:  # Redis is checked before the migrations
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
