"""Rate limits counted in Redis: shared by every app, and never a reason to refuse a request."""

import logging
import socket

import httpx
import pytest

from app.core import rate_limit
from app.main import create_app
from tests.config import UNREACHABLE_REDIS_URL, settings_for_tests
from tests.helpers import client_of, writer

# Each test signs its writer up through the `client` fixture's app, whose limits are never reached.


async def create_tags(client: httpx.AsyncClient, token: dict[str, str], prefix: str, count: int) -> list[int]:
    names = [f"{prefix}-{number}" for number in range(count)]
    return [(await client.post("/tags", json={"name": name}, headers=token)).status_code for name in names]


async def test_processes_share_their_counts(client: httpx.AsyncClient) -> None:
    """Two apps (two replicas) on one Redis: the second sees what the first spent."""
    token = await writer(client)
    settings = settings_for_tests(rate_limit_writes="2/second")
    async with client_of(create_app(settings)) as first, client_of(create_app(settings)) as second:
        assert (await first.post("/tags", json={"name": "one"}, headers=token)).status_code == 201
        assert (await second.post("/tags", json={"name": "two"}, headers=token)).status_code == 201
        assert (await first.post("/tags", json={"name": "three"}, headers=token)).status_code == 429


async def test_redis_down_writes_are_served_and_logged_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    token = await writer(client)
    caplog.set_level(logging.WARNING, logger="app.core.rate_limit")
    # No pause after a failure: every write tries Redis, and only the log interval keeps the log short.
    monkeypatch.setattr(rate_limit, "PAUSE_AFTER_ERROR", 0.0)
    settings = settings_for_tests(redis_url=UNREACHABLE_REDIS_URL, rate_limit_writes="1/minute")
    async with client_of(create_app(settings)) as limited:
        statuses = await create_tags(limited, token, "down", 4)

    assert statuses == [201] * 4, "over the limit, yet served: the limit fails open"
    warnings = [record.getMessage() for record in caplog.records if record.name == "app.core.rate_limit"]
    assert len(warnings) == 1, warnings
    assert "rate limits not enforced" in warnings[0]


async def test_slow_redis_costs_at_most_its_timeout_and_writes_are_served(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await writer(client)
    caplog.set_level(logging.WARNING, logger="app.core.rate_limit")
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        timeouts = {"redis_socket_timeout": 0.1, "redis_socket_connect_timeout": 0.1}
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        settings = settings_for_tests(redis_url=url, rate_limit_writes="1/minute", **timeouts)
        async with client_of(create_app(settings)) as limited:
            statuses = await create_tags(limited, token, "slow", 3)

    assert statuses == [201] * 3
    assert [record.name for record in caplog.records].count("app.core.rate_limit") == 1
