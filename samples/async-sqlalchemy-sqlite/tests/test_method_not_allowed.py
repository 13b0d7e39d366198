"""A method a path does not support: 405, and `Allow` names every method the path does support."""

import httpx
import pytest

from tests.helpers import create_user


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/users", "GET, POST"),
        ("PUT", "/users/{id}", "DELETE, GET, PATCH"),
        ("POST", "/users/{id}", "DELETE, GET, PATCH"),
        # /users/me is a concrete path: it supports what it declares, not what /users/{user_id} does.
        ("PATCH", "/users/me", "GET"),
        ("DELETE", "/users/me", "GET"),
        ("DELETE", "/health/live", "GET"),
        # Not in the OpenAPI document: the methods of its route.
        ("POST", "/metrics", "GET"),
    ],
)
async def test_405_names_every_method_of_the_path(
    client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    user = await create_user(client)
    response = await client.request(method, path.replace("{id}", str(user["id"])))

    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json() == {"detail": "Method Not Allowed"}
