"""The Redis cache of single-resource reads, against a real Redis (TEST_REDIS_URL).

A read served from the cache sends no SQL, so `count_queries` tells a hit from a miss.
Every invalidation test reads first (filling the cache), writes, then reads again:
without the invalidation the second read would be the stale cached answer.
"""

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI

from app.core.cache import RECOVERY_INTERVAL, Cache, create_redis_client
from app.core.cache_entries import user_entry
from app.main import create_app
from app.schemas.users import UserPublic
from tests.config import TEST_CACHE_KEY_PREFIX, UNREACHABLE_REDIS_URL, settings_for_tests
from tests.conftest import QueryCounter
from tests.helpers import auth, client_of, create_post, create_user


async def read(client: httpx.AsyncClient, path: str) -> Any:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


async def test_read_misses_then_hits(
    client: httpx.AsyncClient, count_queries: QueryCounter, redis_client: redis.Redis
) -> None:
    user = await create_user(client)
    post = await create_post(client, user["id"], tags=["cached"])

    for path, created in ((f"/users/{user['id']}", user), (f"/posts/{post['id']}", post)):
        with count_queries() as miss:
            first = await client.get(path)
        with count_queries() as hit:
            second = await client.get(path)

        assert miss, f"{path}: the first read loads from the database"
        assert hit == [], f"{path}: the second read is served from the cache"
        assert first.json() == second.json() == created
        assert second.headers["content-type"] == "application/json"
    keys = [f"{TEST_CACHE_KEY_PREFIX}:user:{user['id']}", f"{TEST_CACHE_KEY_PREFIX}:post:{post['id']}"]
    assert redis_client.exists(*keys) == 2, "entries live under the run's key prefix"


async def test_missing_items_are_not_cached(client: httpx.AsyncClient, redis_client: redis.Redis) -> None:
    assert (await client.get("/users/424242")).status_code == 404
    assert not redis_client.exists(f"{TEST_CACHE_KEY_PREFIX}:user:424242")
    user = await create_user(client)
    assert (await read(client, f"/users/{user['id']}")) == user


async def test_entries_expire(app: FastAPI, client: httpx.AsyncClient, redis_client: redis.Redis) -> None:
    ttl = app.state.settings.cache_ttl_seconds
    user = await create_user(client)
    await read(client, f"/users/{user['id']}")
    assert 0 < redis_client.ttl(f"{TEST_CACHE_KEY_PREFIX}:user:{user['id']}") <= ttl

    deactivated = await client.patch(f"/users/{user['id']}", json={"is_active": False}, headers=auth(user["id"]))
    assert deactivated.status_code == 200
    # Generations outlive the entries stamped with them.
    assert ttl < redis_client.ttl(f"{TEST_CACHE_KEY_PREFIX}:gen:user:{user['id']}") <= 2 * ttl


async def test_updating_a_user_invalidates_it_and_its_posts(
    client: httpx.AsyncClient, count_queries: QueryCounter
) -> None:
    alice = await create_user(client, "alice")
    bob = await create_user(client, "bob")
    post = await create_post(client, alice["id"])
    for path in (f"/users/{alice['id']}", f"/users/{bob['id']}", f"/posts/{post['id']}"):
        await read(client, path)

    changes = {"username": "alicia", "profile": {"bio": "New"}}
    response = await client.patch(f"/users/{alice['id']}", json=changes, headers=auth(alice["id"]))
    assert response.status_code == 200

    assert await read(client, f"/users/{alice['id']}") == response.json()
    assert (await read(client, f"/posts/{post['id']}"))["author"] == {"id": alice["id"], "username": "alicia"}
    with count_queries() as statements:
        assert await read(client, f"/users/{bob['id']}") == bob
    assert statements == [], "other users stay cached"


async def test_deleting_a_user_invalidates_it_and_its_posts(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    post = await create_post(client, user["id"])
    await read(client, f"/users/{user['id']}")
    await read(client, f"/posts/{post['id']}")

    assert (await client.delete(f"/users/{user['id']}", headers=auth(user["id"]))).status_code == 204

    assert (await client.get(f"/users/{user['id']}")).status_code == 404
    assert (await client.get(f"/posts/{post['id']}")).status_code == 404


async def test_updating_and_deleting_a_post_invalidate_it(
    client: httpx.AsyncClient, count_queries: QueryCounter
) -> None:
    author = await create_user(client)
    post = await create_post(client, author["id"], tags=["a"])
    other = await create_post(client, author["id"], "Other")
    await read(client, f"/posts/{post['id']}")
    await read(client, f"/posts/{other['id']}")

    changes = {"title": "Edited", "tags": ["b"]}
    updated = await client.patch(f"/posts/{post['id']}", json=changes, headers=auth(author["id"]))
    assert updated.status_code == 200
    assert await read(client, f"/posts/{post['id']}") == updated.json()
    with count_queries() as statements:
        assert await read(client, f"/posts/{other['id']}") == other
    assert statements == [], "other posts stay cached"

    assert (await client.delete(f"/posts/{post['id']}", headers=auth(author["id"]))).status_code == 204
    assert (await client.get(f"/posts/{post['id']}")).status_code == 404


async def test_renaming_and_deleting_a_tag_invalidate_the_posts_carrying_it(client: httpx.AsyncClient) -> None:
    author = await create_user(client)
    post = await create_post(client, author["id"], tags=["old", "kept"])
    tag_id = post["tags"][0]["id"]
    await read(client, f"/posts/{post['id']}")

    assert (await client.patch(f"/tags/{tag_id}", json={"name": "new"}, headers=auth(author["id"]))).status_code == 200
    assert {t["name"] for t in (await read(client, f"/posts/{post['id']}"))["tags"]} == {"new", "kept"}

    assert (await client.delete(f"/tags/{tag_id}", headers=auth(author["id"]))).status_code == 204
    assert [t["name"] for t in (await read(client, f"/posts/{post['id']}"))["tags"]] == ["kept"]


async def test_an_id_written_differently_is_the_same_item(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    await read(client, f"/users/{user['id']}")

    changed = await client.patch(f"/users/0{user['id']}", json={"is_active": False}, headers=auth(user["id"]))
    assert changed.status_code == 200

    assert (await read(client, f"/users/{user['id']}"))["is_active"] is False


async def test_an_answer_loaded_during_a_write_is_never_served(app: FastAPI, client: httpx.AsyncClient) -> None:
    cache: Cache = app.state.cache
    user = await create_user(client)
    entry = user_entry(user["id"])

    lookup = await cache.lookup(entry)  # a read misses and starts loading...
    await cache.invalidate(entry.generations)  # ...a write commits and invalidates...
    loaded = UserPublic.model_validate(user).model_dump_json().encode()
    await cache.store(lookup, loaded)  # ...the read stores what it loaded.

    assert (await cache.lookup(entry)).body is None


@asynccontextmanager
async def redis_unreachable(cache: Cache) -> AsyncIterator[None]:
    """Point the app's cache at a port nothing listens on, then back at the test Redis."""
    reachable, cache.client = cache.client, create_redis_client(settings_for_tests(redis_url=UNREACHABLE_REDIS_URL))
    try:
        yield
    finally:
        await cache.client.aclose()
        cache.client = reachable


async def write_while_redis_is_down(app: FastAPI, client: httpx.AsyncClient) -> tuple[str, Cache]:
    """A cached user renamed while Redis is down; and the cache of another process sharing the Redis."""
    cache: Cache = app.state.cache
    user = await create_user(client)
    path = f"/users/{user['id']}"
    await read(client, path)
    async with redis_unreachable(cache):
        assert (await client.patch(path, json={"username": "renamed"}, headers=auth(user["id"]))).status_code == 200
        assert (await read(client, path))["username"] == "renamed"
    assert cache.lost == 1
    return path, Cache(cache.client, prefix=cache.prefix, ttl_seconds=cache.ttl_seconds)


async def test_a_lost_invalidation_is_made_up_for_before_the_next_cached_read(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    path, another_process = await write_while_redis_is_down(app, client)

    assert (await read(client, path))["username"] == "renamed"
    # What that read cached, under the renewed epoch: another process is served the new answer too.
    hit = (await another_process.lookup(user_entry(int(path.rsplit("/", 1)[1])))).body
    assert hit is not None
    assert json.loads(hit)["username"] == "renamed"


async def test_a_lost_invalidation_is_made_up_for_in_the_background(app: FastAPI, client: httpx.AsyncClient) -> None:
    path, another_process = await write_while_redis_is_down(app, client)
    cache: Cache = app.state.cache

    for _ in range(10):
        if not cache.lost:
            break
        await asyncio.sleep(RECOVERY_INTERVAL / 2)
    assert cache.lost == 0, "no background renewal of the epoch"
    assert (await another_process.lookup(user_entry(int(path.rsplit("/", 1)[1])))).body is None


async def test_renewals_racing_each_other_count_each_loss_once(app: FastAPI, client: httpx.AsyncClient) -> None:
    await write_while_redis_is_down(app, client)
    cache: Cache = app.state.cache

    renewed = await asyncio.gather(cache.recover(), cache.recover())

    assert list(renewed) == [True, True]
    assert cache.lost == 0


@pytest.fixture
def silent_redis_url() -> Iterator[str]:
    """A server that accepts connections and never answers: a Redis too slow to wait for."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


async def check_served_without_cache(http_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    user = await create_user(http_client)
    assert await read(http_client, f"/users/{user['id']}") == user
    assert await read(http_client, f"/users/{user['id']}") == user
    renamed = await http_client.patch(f"/users/{user['id']}", json={"username": "renamed"}, headers=auth(user["id"]))
    assert renamed.status_code == 200
    assert (await read(http_client, f"/users/{user['id']}"))["username"] == "renamed"

    ready = await http_client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "cache": "unavailable"}
    warnings = [r.getMessage() for r in caplog.records if r.name == "app.core.cache" and r.levelno == logging.WARNING]
    assert any("cache unavailable" in message for message in warnings), warnings


async def test_redis_down_serves_from_the_database(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.core.cache")
    async with client_of(create_app(settings_for_tests(redis_url=UNREACHABLE_REDIS_URL))) as http_client:
        await check_served_without_cache(http_client, caplog)


async def test_slow_redis_serves_from_the_database(silent_redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.core.cache")
    timeouts = {"redis_socket_timeout": 0.1, "redis_socket_connect_timeout": 0.1}
    settings = settings_for_tests(redis_url=silent_redis_url, **timeouts)
    async with client_of(create_app(settings)) as http_client:
        await check_served_without_cache(http_client, caplog)


async def test_after_a_timeout_redis_is_left_alone_for_a_while(
    silent_redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="app.core.cache")
    timeouts = {"redis_socket_timeout": 0.1, "redis_socket_connect_timeout": 0.1}
    settings = settings_for_tests(redis_url=silent_redis_url, **timeouts)
    # A pause longer than the test: everything after the first timeout happens within it.
    cache = Cache(create_redis_client(settings), prefix=TEST_CACHE_KEY_PREFIX, ttl_seconds=60, pause_after_timeout=3600)
    first = await cache.lookup(user_entry(1))
    second = await cache.lookup(user_entry(1))
    await cache.invalidate(["user:1"])
    await cache.client.aclose()

    assert first.stamp is None
    assert second.stamp is None
    waits = [r for r in caplog.records if "reading user:1 from the database" in r.getMessage()]
    assert len(waits) == 1, "only the first lookup waited for Redis"
    assert cache.lost == 1, "an invalidation skipped during the pause is made up for once Redis answers"
