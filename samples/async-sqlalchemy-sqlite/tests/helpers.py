"""Small builders shared by the tests: they go through the API like a client would."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

PASSWORD = "correct horse battery staple"

# The Authorization header of every user `create_user` made, by id (a new user with a reused id
# replaces it): writes need a token, and a post's author is whoever sends it.
_HEADERS: dict[int, dict[str, str]] = {}


async def log_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    """The token pair of a new login (OAuth2 password flow: a form, not JSON)."""
    response = await client.post("/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def auth(user_id: int) -> dict[str, str]:
    """The Authorization header of the user `create_user` made with this id."""
    return _HEADERS[user_id]


async def create_user(client: httpx.AsyncClient, username: str = "alice", **fields: Any) -> dict[str, Any]:
    """Sign a user up and log them in: `auth(user["id"])` is their Authorization header."""
    payload = {"username": username, "email": f"{username}@example.com", "password": PASSWORD, **fields}
    response = await client.post("/users", json=payload)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    tokens = await log_in(client, username, payload["password"])
    _HEADERS[body["id"]] = bearer(tokens["access_token"])
    return body


async def create_post(client: httpx.AsyncClient, author_id: int, title: str = "Hello", **fields: Any) -> dict[str, Any]:
    """A post by the user `create_user` made with the id `author_id`."""
    response = await client.post("/posts", json={"title": title, **fields}, headers=auth(author_id))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def writer(client: httpx.AsyncClient, username: str = "writer") -> dict[str, str]:
    """The Authorization header of a new user, for writes that need any signed-in user (tags)."""
    return auth((await create_user(client, username))["id"])


@asynccontextmanager
async def client_of(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of the test's own, its lifespan running meanwhile."""
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http_client:
            yield http_client
