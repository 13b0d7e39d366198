from datetime import datetime

import httpx

from tests.helpers import PASSWORD, auth, create_post, create_user


async def test_create_user_with_profile(client: httpx.AsyncClient) -> None:
    profile = {"bio": "Writes things", "avatar_url": "https://example.com/a.png"}
    user = await create_user(client, "Alice", email="Alice@Example.COM", profile=profile)

    assert user["username"] == "alice"
    assert user["email"] == "alice@example.com"
    assert user["is_active"] is True
    assert user["profile"] == profile
    assert "password" not in user
    assert "hashed_password" not in user
    created_at = datetime.fromisoformat(user["created_at"])
    assert created_at.utcoffset() is not None
    assert created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


async def test_create_user_defaults_to_an_empty_profile(client: httpx.AsyncClient) -> None:
    user = await create_user(client, "bob")
    assert user["profile"] == {"bio": "", "avatar_url": None}


async def test_read_user(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    response = await client.get(f"/users/{user['id']}")
    assert response.status_code == 200
    assert response.json() == user


async def test_duplicate_username_and_email_conflict(client: httpx.AsyncClient) -> None:
    await create_user(client, "alice")

    by_name = await client.post(
        "/users", json={"username": "ALICE", "email": "other@example.com", "password": PASSWORD}
    )
    by_email = await client.post(
        "/users", json={"username": "other", "email": "ALICE@example.com", "password": PASSWORD}
    )

    assert by_name.status_code == 409
    assert by_name.json() == {"detail": "A user with this username already exists", "field": "username"}
    assert by_email.status_code == 409
    assert by_email.json()["field"] == "email"
    listed = (await client.get("/users")).json()
    assert listed["total"] == 1, "a refused user must leave no row (nor a profile) behind"


async def test_create_user_validation(client: httpx.AsyncClient) -> None:
    bad_payloads = [
        {"username": "a", "email": "a@example.com", "password": PASSWORD},
        {"username": "alice", "email": "not-an-email", "password": PASSWORD},
        {"username": "alice", "email": "a@example.com", "password": "short"},
        {"username": "has space", "email": "a@example.com", "password": PASSWORD},
        {"username": "x" * 51, "email": "a@example.com", "password": PASSWORD},
        {"username": "alice", "email": "a@example.com", "password": PASSWORD, "is_admin": True},
    ]
    for payload in bad_payloads:
        response = await client.post("/users", json=payload)
        assert response.status_code == 422, payload
    assert (await client.get("/users")).json()["total"] == 0


async def test_list_users_paginates_and_searches(client: httpx.AsyncClient) -> None:
    for name in ["alice", "bob", "carol", "alicia"]:
        await create_user(client, name)

    page = (await client.get("/users", params={"limit": 2, "offset": 1})).json()
    assert [u["username"] for u in page["items"]] == ["bob", "carol"]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)

    found = (await client.get("/users", params={"search": "ALI"})).json()
    assert {u["username"] for u in found["items"]} == {"alice", "alicia"}
    assert found["total"] == 2

    literal = (await client.get("/users", params={"search": "%"})).json()
    assert literal["total"] == 0, "LIKE wildcards in a search are matched literally"


async def test_list_users_limit_is_capped(client: httpx.AsyncClient) -> None:
    assert (await client.get("/users", params={"limit": 101})).status_code == 422
    assert (await client.get("/users", params={"limit": 0})).status_code == 422
    assert (await client.get("/users", params={"offset": -1})).status_code == 422


async def test_update_user_partially(client: httpx.AsyncClient) -> None:
    user = await create_user(client, profile={"bio": "old", "avatar_url": "https://example.com/a.png"})

    changes = {"is_active": False, "profile": {"bio": "new"}}
    response = await client.patch(f"/users/{user['id']}", json=changes, headers=auth(user["id"]))

    assert response.status_code == 200
    updated = response.json()
    assert updated["is_active"] is False
    assert updated["profile"] == {"bio": "new", "avatar_url": "https://example.com/a.png"}
    assert updated["username"] == user["username"]
    assert (await client.get(f"/users/{user['id']}")).json() == updated


async def test_update_user_conflict_changes_nothing(client: httpx.AsyncClient) -> None:
    await create_user(client, "alice")
    bob = await create_user(client, "bob")

    changes = {"email": "alice@example.com", "profile": {"bio": "x"}}
    response = await client.patch(f"/users/{bob['id']}", json=changes, headers=auth(bob["id"]))

    assert response.status_code == 409
    assert response.json()["field"] == "email"
    assert (await client.get(f"/users/{bob['id']}")).json() == bob


async def test_delete_user_cascades_to_posts(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    post = await create_post(client, user["id"], tags=["python"])

    assert (await client.delete(f"/users/{user['id']}", headers=auth(user["id"]))).status_code == 204

    assert (await client.get(f"/users/{user['id']}")).status_code == 404
    assert (await client.get(f"/posts/{post['id']}")).status_code == 404
    assert (await client.get("/tags")).json()["total"] == 1, "tags outlive the posts that used them"


async def test_missing_user_is_404(client: httpx.AsyncClient) -> None:
    headers = auth((await create_user(client))["id"])
    for method in ("GET", "PATCH", "DELETE"):
        body: dict[str, str] | None = {} if method == "PATCH" else None
        response = await client.request(method, "/users/999999", json=body, headers=headers)
        assert response.status_code == 404, method
        assert response.json() == {"detail": "User 999999 not found"}
