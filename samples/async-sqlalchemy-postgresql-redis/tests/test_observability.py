"""Request logs (one line per request, with its id) and the Prometheus metrics at /metrics."""

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from app.core.logging import JsonFormatter, RequestRecord, create_handler
from app.crud import users as users_crud
from app.main import create_app
from tests import config
from tests.helpers import auth, create_user

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """What the service logs meanwhile, as the JSON lines production writes."""
    stream = io.StringIO()
    handler = create_handler("json", stream)
    logging.getLogger().addHandler(handler)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


def request_lines(logs: io.StringIO) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == "app.requests"]


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """The samples /metrics exposes: (name, labels) -> value."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_each_request_is_logged_with_the_id_it_answers_with(
    client: httpx.AsyncClient, json_logs: io.StringIO
) -> None:
    user = await create_user(client)
    response = await client.get(f"/users/{user['id']}")

    request_id = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(request_id)
    [line] = [line for line in request_lines(json_logs) if line["request_id"] == request_id]
    assert line["method"] == "GET"
    assert line["route"] == "/users/{user_id}"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")
    assert line["message"].startswith("GET /users/{user_id} 200 ")


async def test_a_valid_request_id_is_kept_and_a_malformed_one_replaced(
    client: httpx.AsyncClient, json_logs: io.StringIO
) -> None:
    kept = await client.get("/health/live", headers={"X-Request-ID": "edge-7f3a.retry_2"})
    assert kept.headers["X-Request-ID"] == "edge-7f3a.retry_2"

    for malformed in ("two words", "x" * 129, "", "a/b"):
        replaced = await client.get("/health/live", headers={"X-Request-ID": malformed})
        assert GENERATED_ID.fullmatch(replaced.headers["X-Request-ID"]), malformed

    logged = [line["request_id"] for line in request_lines(json_logs)]
    assert logged[0] == "edge-7f3a.retry_2"
    assert all(GENERATED_ID.fullmatch(request_id) for request_id in logged[1:])
    assert len(logged) == 5


async def test_errors_carry_the_request_id(
    app: FastAPI, client: httpx.AsyncClient, json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = await client.get("/users/999999", headers={"X-Request-ID": "req-404"})
    assert (unknown.status_code, unknown.headers["X-Request-ID"]) == (404, "req-404")
    unmatched = await client.get("/no/such/path")
    assert unmatched.status_code == 404
    assert GENERATED_ID.fullmatch(unmatched.headers["X-Request-ID"])

    alice = await create_user(client, "alice")
    bob = await create_user(client, "bob")

    def fail(*_: Any) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(users_crud, "update_user", fail)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as failing:
        headers = {"X-Request-ID": "req-500", **auth(alice["id"])}
        successor = {"successor_id": bob["id"]}
        response = await failing.post(f"/users/{alice['id']}/deactivate", json=successor, headers=headers)
    assert (response.status_code, response.headers["X-Request-ID"]) == (500, "req-500")

    lines = {line["request_id"]: line for line in request_lines(json_logs)}
    assert (lines["req-404"]["route"], lines["req-404"]["status"]) == ("/users/{user_id}", 404)
    assert lines[unmatched.headers["X-Request-ID"]]["route"] == "<unmatched>"
    assert (lines["req-500"]["route"], lines["req-500"]["status"]) == ("/users/{user_id}/deactivate", 500)


async def test_readable_text_lines_outside_production(client: httpx.AsyncClient) -> None:
    stream = io.StringIO()
    handler = create_handler("text", stream)
    logging.getLogger().addHandler(handler)
    try:
        response = await client.get("/health/live")
    finally:
        logging.getLogger().removeHandler(handler)

    [line] = [line for line in stream.getvalue().splitlines() if " app.requests " in line]
    assert f"[{response.headers['X-Request-ID']}] GET /health/live 200 " in line
    assert line.endswith(" ms")


async def test_request_lines_skip_logging_s_dispatch_only_while_the_service_s_handler_is_alone(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = create_handler("text")  # the one `configure_logging` installs: standard error
    dispatched: list[str] = []
    monkeypatch.setattr(logging.Logger, "handle", lambda _, record: dispatched.append(record.name))

    # The service's configuration (without pytest's capture handlers): written directly.
    monkeypatch.setattr(logging.getLogger(), "handlers", [handler])
    response = await client.get("/health/live")
    [line] = [line for line in capsys.readouterr().err.splitlines() if " app.requests " in line]
    assert f"[{response.headers['X-Request-ID']}] GET /health/live 200 " in line
    assert "app.requests" not in dispatched

    # Anything else listening: the usual way, so it sees the line too.
    monkeypatch.setattr(logging.getLogger(), "handlers", [handler, logging.NullHandler()])
    await client.get("/health/live")
    assert "app.requests" in dispatched


def test_a_request_s_json_line_is_what_the_formatter_makes_of_any_record() -> None:
    request = RequestRecord("GET", '/odd/"{name}"/\u00e9', 404, 1.5)
    request.request_id = "req-1"
    usual = logging.LogRecord("app.requests", logging.INFO, __file__, 1, request.msg, request.args, None)
    fields = ("method", "route", "status", "duration_ms", "request_id", "created")
    usual.__dict__.update({field: getattr(request, field) for field in fields})

    formatter = JsonFormatter()
    assert formatter.format(request) == formatter.format(usual)
    assert json.loads(formatter.format(request))["route"] == '/odd/"{name}"/\u00e9'
    assert set(vars(usual)) - {"taskName"} <= set(vars(request))  # any formatter finds what it reads


def test_production_logs_json_unless_told_otherwise() -> None:
    from app.core.logging import log_format

    assert log_format(config.settings_for_tests()) == "text"
    assert log_format(config.settings_for_tests(environment="production")) == "json"
    assert log_format(config.settings_for_tests(environment="production", log_format="text")) == "text"
    assert log_format(config.settings_for_tests(log_format="json")) == "json"


async def test_secrets_never_reach_the_logs(client: httpx.AsyncClient, json_logs: io.StringIO) -> None:
    secrets = {
        "password": "pw-0f9e8d7c6b5a",
        "token": "tok-1a2b3c4d5e6f",
        "cookie": "ck-6e5d4c3b2a1f",
        "database": "db-9a8b7c6d5e4f",
    }
    headers = {"Authorization": f"Bearer {secrets['token']}", "Cookie": f"session={secrets['cookie']}"}
    await create_user(client, "carol", password=secrets["password"])
    invalid = {"username": "carol", "email": "x", "password": secrets["password"]}
    assert (await client.post("/users", json=invalid, headers=headers)).status_code == 422

    # A 503 logs the driver's error: the password of DATABASE_URL must not be part of it.
    url = config.UNREACHABLE_DATABASE_URL.replace(":app@", f":{secrets['database']}@")
    assert secrets["database"] in url or "@" not in url
    unreachable = create_app(config.settings_for_tests(database_url=url, db_pool_timeout=1))
    async with unreachable.router.lifespan_context(unreachable):
        transport = httpx.ASGITransport(app=unreachable)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as unreachable_client:
            response = await unreachable_client.get("/users", headers=headers)
    assert response.status_code == 503

    logs = json_logs.getvalue()
    assert "database unavailable" in logs, "the 503 was logged"
    assert response.headers["X-Request-ID"] in logs
    for name, secret in secrets.items():
        assert secret not in logs, name


async def test_metrics_label_requests_by_route_template(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    await client.get("/users/918273645")
    await client.get("/nowhere/918273645")
    after = await scrape(client)

    labels = {"method": "GET", "route": "/users/{user_id}"}
    assert (
        value(after, "http_requests_total", status="404", **labels)
        == value(before, "http_requests_total", status="404", **labels) + 1
    )
    assert (
        value(after, "http_request_duration_seconds_count", **labels)
        == value(before, "http_request_duration_seconds_count", **labels) + 1
    )
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "404"}
    assert value(after, "http_requests_total", **unmatched) == value(before, "http_requests_total", **unmatched) + 1
    assert value(after, "http_requests_in_progress") == 1, "the scrape itself"
    assert not any("918273645" in label for _, labels_ in after for pair in labels_ for label in pair)


async def test_503s_are_counted_by_cause(client: httpx.AsyncClient, unreachable_client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    assert (await unreachable_client.get("/users")).status_code == 503
    assert (await unreachable_client.get("/health/ready")).status_code == 503
    after = await scrape(client)

    name = "http_unavailable_responses_total"
    assert value(after, name, cause="database") == value(before, name, cause="database") + 2


async def test_metrics_show_the_pool(app: FastAPI, client: httpx.AsyncClient) -> None:
    async with app.state.engine.connect():
        held = await scrape(client)
    released = await scrape(client)

    assert value(held, "db_pool_connections_in_use") == 1
    assert value(released, "db_pool_connections_in_use") == 0
    assert ("db_pool_waiting", frozenset()) in released


async def test_metrics_count_requests_that_gave_up_waiting_for_a_connection() -> None:
    small = create_app(config.settings_for_tests(db_pool_size=1, db_pool_timeout=0.2))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://test")
    async with small.router.lifespan_context(small), client:
        before = await scrape(client)
        async with small.state.engine.connect():
            response = await client.get("/users")
        after = await scrape(client)

    assert response.status_code == 503
    assert value(after, "db_pool_timeouts_total") == value(before, "db_pool_timeouts_total") + 1
    assert value(after, "db_pool_waiting") == 0


async def test_metrics_count_cache_hits_and_misses(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    before = await scrape(client)
    for _ in range(3):
        assert (await client.get(f"/users/{user['id']}")).status_code == 200
    after = await scrape(client)

    assert value(after, "cache_lookups_total", result="miss") == value(before, "cache_lookups_total", result="miss") + 1
    assert value(after, "cache_lookups_total", result="hit") == value(before, "cache_lookups_total", result="hit") + 2


async def test_metrics_are_not_in_the_api_schema(client: httpx.AsyncClient) -> None:
    assert "/metrics" not in (await client.get("/openapi.json")).json()["paths"]


async def test_metrics_can_be_switched_off() -> None:
    app = create_app(config.settings_for_tests(metrics_enabled=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/metrics")).status_code == 404


async def test_a_metrics_token_keeps_out_scrapes_without_it() -> None:
    token = "scrape-7c1d2e3f4a5b6c7d"
    app = create_app(config.settings_for_tests(metrics_token=token))
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://test")
    async with app.router.lifespan_context(app), client:
        for headers in ({}, {"Authorization": "Bearer wrong-token-0000000"}, {"Authorization": token}):
            refused = await client.get("/metrics", headers=headers)
            assert (refused.status_code, refused.headers["WWW-Authenticate"]) == (401, "Bearer"), headers
            assert "http_requests_total" not in refused.text
        allowed = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert allowed.status_code == 200
    assert "http_requests_total" in allowed.text


async def test_log_level_warning_leaves_out_the_request_lines(json_logs: io.StringIO) -> None:
    app = create_app(config.settings_for_tests(log_level="warning"))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            assert (await client.get("/health/live")).status_code == 200
    finally:
        create_app(config.settings_for_tests())  # back to INFO for the other tests
    assert request_lines(json_logs) == []
