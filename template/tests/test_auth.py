"""Logging in, the access token's checks, refresh-token rotation and reuse detection, ownership."""

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from app.core.tokens import create_access_token, decode_access_token
from app.main import create_app
from app.schemas.common import USERNAME_MAX_LENGTH
from app.services import auth as auth_service
from tests.config import TEST_SECRET_KEY, settings_for_tests
from tests.helpers import PASSWORD, auth, bearer, client_of, create_post, create_user, log_in

REFUSED = {"detail": "Could not validate credentials"}
LOGIN_REFUSED = {"detail": "Incorrect username or password"}
KEY = SecretStr(TEST_SECRET_KEY)


def assert_unauthorized(response: httpx.Response, body: dict[str, str] = REFUSED) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == body
    assert response.headers["WWW-Authenticate"] == "Bearer"


def segment(part: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


async def test_login_returns_tokens_for_the_user(client: httpx.AsyncClient) -> None:
    user = await create_user(client, "alice")

    tokens = await log_in(client, " Alice ", PASSWORD)

    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 15 * 60
    assert tokens["refresh_token"]
    me = await client.get("/users/me", headers=bearer(tokens["access_token"]))
    assert (me.status_code, me.json()) == (200, user)


async def test_every_refused_login_gets_the_same_answer(client: httpx.AsyncClient) -> None:
    await create_user(client, "alice")
    inactive = await create_user(client, "bob")
    changes, headers = {"is_active": False}, auth(inactive["id"])
    deactivated = await client.patch(f"/users/{inactive['id']}", json=changes, headers=headers)
    assert deactivated.status_code == 200

    for username, password in (("nobody", PASSWORD), ("alice", "wrong password"), ("bob", PASSWORD)):
        response = await client.post("/auth/token", data={"username": username, "password": password})
        assert_unauthorized(response, LOGIN_REFUSED)


async def test_a_username_longer_than_any_account_is_invalid_not_unknown(client: httpx.AsyncClient) -> None:
    """No account can have it, so it is refused as input (422) before anything looks it up."""
    username = "a" * (USERNAME_MAX_LENGTH + 1)

    response = await client.post("/auth/token", data={"username": username, "password": PASSWORD})

    assert response.status_code == 422, response.text
    assert username not in response.text


@pytest.mark.parametrize("path", ["/users", "/auth/token"])
async def test_a_refused_password_is_not_echoed(client: httpx.AsyncClient, path: str) -> None:
    password = "secret-" + "x" * 200  # longer than any password may be
    if path == "/users":
        sign_up = {"username": "carol", "email": "carol@example.com", "password": password}
        response = await client.post(path, json=sign_up)
    else:
        response = await client.post(path, data={"username": "carol", "password": password})

    assert response.status_code == 422, response.text
    assert "secret-" not in response.text
    assert response.json()["detail"][0]["loc"][-1] == "password"


async def test_missing_expired_tampered_and_unsigned_tokens_are_refused(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    access_token = (await log_in(client, "alice"))["access_token"]
    family = decode_access_token(access_token, KEY).family
    past = datetime.now(UTC) - timedelta(hours=1)
    expired = create_access_token(str(user["id"]), family, KEY, timedelta(minutes=1), now=past)
    header, claims, signature = access_token.split(".")
    other_user = {**json.loads(base64.urlsafe_b64decode(claims + "==")), "sub": str(user["id"] + 1)}
    tampered = f"{header}.{segment(other_user)}.{signature}"
    unsigned = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{claims}."

    assert (await client.get("/users/me", headers=bearer(access_token))).status_code == 200
    assert_unauthorized(await client.get("/users/me"))
    for token in (expired, tampered, unsigned, "not-a-token"):
        assert_unauthorized(await client.get("/users/me", headers=bearer(token)))
        assert_unauthorized(await client.post("/tags", json={"name": "t"}, headers=bearer(token)))


async def test_logout_revokes_the_login_at_once(client: httpx.AsyncClient) -> None:
    await create_user(client)
    tokens = await log_in(client, "alice")
    other_login = await log_in(client, "alice")

    response = await client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})

    assert response.status_code == 204
    assert_unauthorized(await client.get("/users/me", headers=bearer(tokens["access_token"])))
    assert_unauthorized(await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}))
    assert (await client.get("/users/me", headers=bearer(other_login["access_token"]))).status_code == 200, (
        "another login (device) of the same user is not affected"
    )


async def test_refresh_rotates_the_token(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    first = await log_in(client, "alice")

    response = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})

    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    old, new = (decode_access_token(pair["access_token"], KEY) for pair in (first, second))
    assert new.family == old.family, "a rotated token stays in its login's family"
    me = await client.get("/users/me", headers=bearer(second["access_token"]))
    assert me.json()["id"] == user["id"]
    third = await client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert third.status_code == 200


async def test_reusing_a_rotated_token_revokes_its_whole_family(client: httpx.AsyncClient) -> None:
    await create_user(client)
    first = await log_in(client, "alice")
    second = (await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()

    # The first token again: someone kept a copy of it.
    assert_unauthorized(await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}))

    assert_unauthorized(await client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]}))
    assert_unauthorized(await client.get("/users/me", headers=bearer(second["access_token"])))


async def test_an_expired_refresh_token_is_refused(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    await create_user(client)
    tokens = await log_in(client, "alice")
    days = settings_for_tests().refresh_token_days
    expired = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days, seconds=1)
    monkeypatch.setattr(auth_service, "utc_now", lambda: expired)

    assert_unauthorized(await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}))


async def test_an_unknown_refresh_token_is_refused(client: httpx.AsyncClient) -> None:
    assert_unauthorized(await client.post("/auth/refresh", json={"refresh_token": "never-issued"}))
    assert (await client.post("/auth/logout", json={"refresh_token": "never-issued"})).status_code == 204


async def test_deactivated_users_tokens_stop_working(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    tokens = await log_in(client, "alice")
    changes = {"is_active": False}
    assert (await client.patch(f"/users/{user['id']}", json=changes, headers=auth(user["id"]))).status_code == 200

    assert_unauthorized(await client.get("/users/me", headers=bearer(tokens["access_token"])))
    assert_unauthorized(await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}))


async def test_only_the_author_changes_or_deletes_a_post(client: httpx.AsyncClient) -> None:
    alice = await create_user(client, "alice")
    bob = await create_user(client, "bob")
    post = await create_post(client, alice["id"], "Alice's")
    path = f"/posts/{post['id']}"
    forbidden = {"detail": "Only the author of a post may change or delete it"}

    for method, body in (("PATCH", {"title": "Bob's now"}), ("DELETE", None)):
        response = await client.request(method, path, json=body, headers=auth(bob["id"]))
        assert (response.status_code, response.json()) == (403, forbidden), method
        assert_unauthorized(await client.request(method, path, json=body))
    assert (await client.get(path)).json() == post


async def test_users_change_only_their_own_account(client: httpx.AsyncClient) -> None:
    alice = await create_user(client, "alice")
    bob = await create_user(client, "bob")
    forbidden = {"detail": "Users may change, deactivate or delete only their own account"}

    for method, path, body in (
        ("PATCH", f"/users/{alice['id']}", {"username": "bob-was-here"}),
        ("DELETE", f"/users/{alice['id']}", None),
        ("POST", f"/users/{alice['id']}/deactivate", {"successor_id": bob["id"]}),
    ):
        response = await client.request(method, path, json=body, headers=auth(bob["id"]))
        assert (response.status_code, response.json()) == (403, forbidden), (method, path)
        assert_unauthorized(await client.request(method, path, json=body))
    assert (await client.get(f"/users/{alice['id']}")).json() == alice


async def test_logins_over_the_limit_are_refused_before_the_password_is_checked(client: httpx.AsyncClient) -> None:
    await create_user(client, "alice")
    await create_user(client, "bob")
    async with client_of(create_app(settings_for_tests(rate_limit_login="2/minute"))) as limited:
        assert (await limited.post("/auth/token", data={"username": "alice", "password": PASSWORD})).status_code == 200
        wrong = await limited.post("/auth/token", data={"username": "alice", "password": "wrong password"})
        assert wrong.status_code == 401

        refused = await limited.post("/auth/token", data={"username": "alice", "password": PASSWORD})

        assert refused.status_code == 429, refused.text
        assert refused.headers["RateLimit-Limit"] == "2"
        assert int(refused.headers["Retry-After"]) >= 1


async def test_one_account_is_limited_whatever_the_client_address(client: httpx.AsyncClient) -> None:
    await create_user(client, "alice")
    settings = settings_for_tests(rate_limit_login="2/minute", trusted_proxies="127.0.0.1")
    async with client_of(create_app(settings)) as limited:
        statuses = [
            (
                await limited.post(
                    "/auth/token",
                    data={"username": "ALICE", "password": "wrong password"},
                    headers={"X-Forwarded-For": f"203.0.113.{number}"},
                )
            ).status_code
            for number in range(3)
        ]
    assert statuses == [401, 401, 429]
