"""One transaction per request: a service's writes are committed together or not at all.

Deactivating a user writes two entities (their posts get a new author, then the user
is deactivated); a failure injected between the two writes must leave both unchanged.
"""

from typing import Any

import httpx
import pytest

from app.crud import users as users_crud
from app.services.users import SUCCESSOR_RULE
from tests.helpers import auth, create_post, create_user


async def titles_by(client: httpx.AsyncClient, author_id: int) -> list[str]:
    page = (await client.get("/posts", params={"author_id": author_id})).json()
    return [post["title"] for post in page["items"]]


async def test_deactivating_a_user_hands_their_posts_to_the_successor(client: httpx.AsyncClient) -> None:
    alice = await create_user(client, "alice")
    bob = await create_user(client, "bob")
    await create_post(client, alice["id"], "First")
    await create_post(client, alice["id"], "Second")
    await create_post(client, bob["id"], "Bob's")

    successor = {"successor_id": bob["id"]}
    response = await client.post(f"/users/{alice['id']}/deactivate", json=successor, headers=auth(alice["id"]))

    assert response.status_code == 200, response.text
    assert response.json() == {**alice, "is_active": False}
    assert (await client.get(f"/users/{alice['id']}")).json()["is_active"] is False
    assert await titles_by(client, alice["id"]) == []
    assert await titles_by(client, bob["id"]) == ["First", "Second", "Bob's"]


async def test_a_failure_between_the_writes_leaves_nothing_written(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await create_user(client, "alice")
    bob = await create_user(client, "bob")
    await create_post(client, alice["id"], "First")

    def fail(*_: Any) -> None:
        raise RuntimeError("injected after the posts were reassigned")

    # The posts' UPDATE has reached the database when the user's update fails.
    monkeypatch.setattr(users_crud, "update_user", fail)
    successor, headers = {"successor_id": bob["id"]}, auth(alice["id"])
    with pytest.raises(RuntimeError, match="injected"):
        await client.post(f"/users/{alice['id']}/deactivate", json=successor, headers=headers)
    monkeypatch.undo()

    assert await titles_by(client, alice["id"]) == ["First"], "the reassignment was rolled back"
    assert await titles_by(client, bob["id"]) == []
    assert (await client.get(f"/users/{alice['id']}")).json()["is_active"] is True


async def test_the_successor_must_be_an_existing_active_other_user(client: httpx.AsyncClient) -> None:
    alice = await create_user(client, "alice")
    bob = await create_user(client, "bob")
    await create_post(client, alice["id"], "First")
    deactivated = await client.patch(f"/users/{bob['id']}", json={"is_active": False}, headers=auth(bob["id"]))
    assert deactivated.status_code == 200

    # Herself, an inactive user, a user that does not exist (a 404 would mean alice is missing).
    for successor_id in (alice["id"], bob["id"], 999999):
        successor = {"successor_id": successor_id}
        response = await client.post(f"/users/{alice['id']}/deactivate", json=successor, headers=auth(alice["id"]))
        assert response.status_code == 409, successor_id
        assert response.json() == {"detail": SUCCESSOR_RULE, "field": "successor_id"}
    assert await titles_by(client, alice["id"]) == ["First"]
    assert (await client.get(f"/users/{alice['id']}")).json()["is_active"] is True


async def test_deactivating_a_missing_user_is_404(client: httpx.AsyncClient) -> None:
    alice = await create_user(client, "alice")

    successor = {"successor_id": alice["id"]}
    response = await client.post("/users/999999/deactivate", json=successor, headers=auth(alice["id"]))

    assert (response.status_code, response.json()) == (404, {"detail": "User 999999 not found"})
