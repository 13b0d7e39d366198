"""Rate limits: writes over a limit get a clean 429 with its headers, then pass again after the window.

Limits here are per second, so a window ends within the test: waiting is how it is
checked (the answer's Retry-After), never a measured duration.
"""

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from prometheus_client import REGISTRY

from app.api.routes import auth, posts, tags, users
from app.api.routing import READS
from app.core.rate_limit import LIMIT_WRITES, RateLimitedError, RateLimiter
from app.main import create_app
from tests.config import settings_for_tests
from tests.helpers import PASSWORD, client_of, create_user, writer

LIMIT = 3


def limited_app(**overrides: object) -> FastAPI:
    return create_app(settings_for_tests(rate_limit_writes=f"{LIMIT}/second", **overrides))


async def create_tags(
    client: httpx.AsyncClient, token: dict[str, str], names: list[str], forwarded_for: list[str] | None = None
) -> list[int]:
    """The status of each tag creation with `token`; `forwarded_for` gives each request its X-Forwarded-For."""
    forwarded = [{"X-Forwarded-For": value} for value in forwarded_for] if forwarded_for else [{}] * len(names)
    return [
        (await client.post("/tags", json={"name": name}, headers={**token, **header})).status_code
        for name, header in zip(names, forwarded, strict=True)
    ]


def rejections(limit: str) -> float:
    return REGISTRY.get_sample_value("rate_limit_rejections_total", {"limit": limit}) or 0.0


# Each test signs its writer up through the `client` fixture's app, whose limits are never reached:
# the limited app below shares its database and key, so the token works there and costs none of its limit.
async def test_writes_over_the_limit_are_refused_until_the_window_ends(client: httpx.AsyncClient) -> None:
    token = await writer(client)
    before = rejections("writes")
    async with client_of(limited_app()) as limited:
        assert await create_tags(limited, token, [f"tag-{number}" for number in range(LIMIT)]) == [201] * LIMIT

        refused = await limited.post("/tags", json={"name": "one-too-many"}, headers=token)

        assert refused.status_code == 429
        assert refused.json() == {"detail": "Too many requests, please retry later"}
        assert refused.headers["RateLimit-Limit"] == str(LIMIT)
        assert refused.headers["RateLimit-Remaining"] == "0"
        retry_after = int(refused.headers["Retry-After"])
        assert retry_after >= 1
        assert refused.headers["RateLimit-Reset"] == refused.headers["Retry-After"]
        assert rejections("writes") == before + 1
        assert (await limited.get("/tags", params={"search": "one-too-many"})).json()["total"] == 0

        await asyncio.sleep(retry_after)
        assert await create_tags(limited, token, ["after-the-window"]) == [201]


async def test_reads_are_never_limited(client: httpx.AsyncClient) -> None:
    token = await writer(client)
    async with client_of(limited_app()) as limited:
        await create_tags(limited, token, [f"tag-{number}" for number in range(LIMIT + 1)])
        reads = [(await limited.get("/tags")).status_code for _ in range(LIMIT * 3)]
        assert reads == [200] * (LIMIT * 3)
        assert (await limited.post("/tags", json={"name": "still-refused"}, headers=token)).status_code == 429


def test_every_write_and_no_read_depends_on_the_write_limit_once() -> None:
    routes = [route for module in (auth, posts, tags, users) for route in module.router.routes]
    assert all(isinstance(route, APIRoute) for route in routes)
    counts = {
        (method, route.path): route.dependencies.count(LIMIT_WRITES)
        for route in routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert counts == {key: 0 if key[0] in READS else 1 for key in counts}
    assert {method for method, _ in counts} >= {"GET", "POST", "PATCH", "DELETE"}


async def test_sign_ups_have_a_strict_limit_of_their_own() -> None:
    async with client_of(create_app(settings_for_tests(rate_limit_signup="2/second"))) as client:
        await create_user(client, "first")
        await create_user(client, "second")
        third = {"username": "third", "email": "third@example.com", "password": PASSWORD}
        refused = await client.post("/users", json=third)
        assert refused.status_code == 429, refused.text
        assert refused.headers["RateLimit-Limit"] == "2"
        assert (await client.get("/users")).json()["total"] == 2


async def test_sign_ups_for_one_account_are_limited_from_any_address() -> None:
    # Each attempt comes through a trusted proxy from its own client address: only the account is shared.
    settings = settings_for_tests(rate_limit_signup="2/second", trusted_proxies="127.0.0.1")
    async with client_of(create_app(settings)) as client:
        statuses = []
        for number in range(3):
            body = {"username": "carol", "email": f"carol{number}@example.com", "password": PASSWORD}
            headers = {"X-Forwarded-For": f"203.0.113.{number}"}
            statuses.append((await client.post("/users", json=body, headers=headers)).status_code)
        assert statuses == [201, 409, 429]


async def test_the_forwarded_address_is_ignored_from_an_untrusted_peer(client: httpx.AsyncClient) -> None:
    token = await writer(client)
    async with client_of(limited_app()) as limited:
        names = [f"tag-{number}" for number in range(LIMIT + 1)]
        forged = [f"203.0.113.{number}" for number in range(LIMIT + 1)]
        statuses = await create_tags(limited, token, names, forwarded_for=forged)
        assert statuses == [201] * LIMIT + [429], "a client cannot pose as many by forging the header"


async def test_behind_a_trusted_proxy_the_forwarded_address_names_the_client(client: httpx.AsyncClient) -> None:
    token = await writer(client)
    # The test client's peer is 127.0.0.1: a proxy on this machine, and one more in 10.0.0.0/8.
    async with client_of(limited_app(trusted_proxies="127.0.0.1, 10.0.0.0/8")) as limited:
        # What the client itself wrote (left) is ignored; the proxies append the address they saw.
        first_client = [f"forged-{number}, 203.0.113.1, 10.1.2.3" for number in range(LIMIT + 1)]
        names = [f"first-{number}" for number in range(LIMIT + 1)]
        assert await create_tags(limited, token, names, forwarded_for=first_client) == [201] * LIMIT + [429]
        assert await create_tags(limited, token, ["second-client"], forwarded_for=["203.0.113.2"]) == [201]


async def test_attempts_on_one_account_are_limited_from_any_address() -> None:
    application = create_app(settings_for_tests(rate_limit_login="2/second"))
    async with client_of(application):
        limiter: RateLimiter = application.state.rate_limiter
        await limiter.hit_account("login", "alice")
        await limiter.hit_account("login", " Alice ")
        with pytest.raises(RateLimitedError):
            await limiter.hit_account("login", "ALICE")
        await limiter.hit_account("login", "bob")
