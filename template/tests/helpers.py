"""Small builders shared by the tests: they go through the API like a client would."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

PASSWORD = "correct horse battery staple"


async def create_user(client: httpx.AsyncClient, username: str = "alice", **fields: Any) -> dict[str, Any]:
    payload = {"username": username, "email": f"{username}@example.com", "password": PASSWORD, **fields}
    response = await client.post("/users", json=payload)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def create_post(client: httpx.AsyncClient, author_id: int, title: str = "Hello", **fields: Any) -> dict[str, Any]:
    response = await client.post("/posts", json={"title": title, "author_id": author_id, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@asynccontextmanager
async def client_of(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of the test's own, its lifespan running meanwhile."""
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http_client:
            yield http_client
