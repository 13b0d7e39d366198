"""Input no client should send still gets a documented 422, never a 400 or a 500.

Bodies that are not JSON or not UTF-8 are malformed JSON; text holding NUL cannot be stored
by PostgreSQL, so it is refused on every engine before it reaches the database.
"""

import httpx
import pytest

from tests.helpers import auth, create_post, create_user

MALFORMED_BODIES = {
    "invalid-utf8": b'{"username": "\xff\xfe"}',
    "invalid-json": b"{not json",
    "truncated": b'{"username": "bob"',
}


def assert_validation_error(response: httpx.Response, error_type: str) -> None:
    """The body is FastAPI's documented `HTTPValidationError`: `detail` is a list of errors."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    assert {"type", "loc", "msg"} <= set(detail[0])
    assert detail[0]["type"] == error_type, detail


@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
async def test_malformed_bodies_are_422(client: httpx.AsyncClient, body: bytes) -> None:
    user = await create_user(client)
    post = await create_post(client, user["id"])
    headers = {"Content-Type": "application/json", **auth(user["id"])}
    for method, path in (
        ("POST", "/users"),
        ("PATCH", f"/users/{user['id']}"),
        ("POST", "/posts"),
        ("PATCH", f"/posts/{post['id']}"),
        ("POST", "/tags"),
    ):
        response = await client.request(method, path, content=body, headers=headers)
        assert_validation_error(response, "json_invalid")


async def test_nul_in_search_is_422(client: httpx.AsyncClient) -> None:
    for path in ("/users", "/posts", "/tags"):
        response = await client.get(path, params={"search": "a\x00b"})
        assert_validation_error(response, "string_pattern_mismatch")


async def test_nul_in_body_text_is_422(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    post = await create_post(client, user["id"])
    for method, path, body in (
        ("POST", "/posts", {"title": "a\x00b"}),
        ("POST", "/posts", {"title": "ok", "body": "a\x00b"}),
        ("PATCH", f"/posts/{post['id']}", {"body": "\x00"}),
        ("PATCH", f"/users/{user['id']}", {"profile": {"bio": "a\x00b"}}),
        ("PATCH", f"/users/{user['id']}", {"profile": {"avatar_url": "https://a.example/\x00"}}),
        ("PATCH", f"/users/{user['id']}", {"username": "a\x00bcd"}),
        ("POST", "/tags", {"name": "a\x00b"}),
    ):
        response = await client.request(method, path, json=body, headers=auth(user["id"]))
        assert_validation_error(response, "string_pattern_mismatch")
    assert (await client.get(f"/posts/{post['id']}")).json()["body"] == post["body"]
