import httpx

from app.schemas.common import MAX_ID
from tests import database
from tests.conftest import QueryCounter
from tests.helpers import auth, create_post, create_user


async def test_create_post_creates_missing_tags(client: httpx.AsyncClient) -> None:
    author = await create_user(client)
    existing = (await client.post("/tags", json={"name": "python"}, headers=auth(author["id"]))).json()

    post = await create_post(client, author["id"], body="Text", published=True, tags=["Python", "fastapi", "python"])

    assert post["title"] == "Hello"
    assert post["body"] == "Text"
    assert post["published"] is True
    assert post["author"] == {"id": author["id"], "username": author["username"]}
    assert [t["name"] for t in post["tags"]] == ["python", "fastapi"]
    assert post["tags"][0] == existing
    assert post["created_at"].endswith("Z")
    assert (await client.get(f"/posts/{post['id']}")).json() == post
    assert (await client.get("/tags")).json()["total"] == 2


async def test_the_author_is_the_caller_not_a_field_of_the_body(client: httpx.AsyncClient) -> None:
    alice = await create_user(client, "alice")
    bob = await create_user(client, "bob")

    named = await client.post("/posts", json={"title": "Mine", "author_id": bob["id"]}, headers=auth(alice["id"]))
    assert named.status_code == 422, "author_id is not accepted: a client cannot post in another's name"

    post = await create_post(client, alice["id"], "Mine")
    assert post["author"] == {"id": alice["id"], "username": "alice"}


async def test_create_post_without_a_valid_token_writes_nothing(client: httpx.AsyncClient) -> None:
    author = await create_user(client)
    headers = auth(author["id"])
    assert (await client.delete(f"/users/{author['id']}", headers=headers)).status_code == 204

    for sent in ({}, headers):  # no token; the token of an account deleted since
        response = await client.post("/posts", json={"title": "Orphan", "tags": ["new", "tags"]}, headers=sent)
        assert response.status_code == 401
        assert response.json() == {"detail": "Could not validate credentials"}
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert (await client.get("/tags")).json()["total"] == 0
    assert (await client.get("/posts")).json()["total"] == 0


async def test_list_posts_filters(client: httpx.AsyncClient) -> None:
    alice = await create_user(client, "alice")
    bob = await create_user(client, "bob")
    await create_post(client, alice["id"], "Python tips", published=True, tags=["python"])
    await create_post(client, alice["id"], "Draft about Rust", tags=["rust"])
    await create_post(client, bob["id"], "More PYTHON", published=True, tags=["python", "web"])

    async def titles(**params: str | int) -> list[str]:
        page = (await client.get("/posts", params=params)).json()
        assert page["total"] == len(page["items"])
        return [p["title"] for p in page["items"]]

    assert await titles(author_id=alice["id"]) == ["Python tips", "Draft about Rust"]
    assert await titles(tag="python") == ["Python tips", "More PYTHON"]
    assert await titles(published="false") == ["Draft about Rust"]
    assert await titles(search="python") == ["Python tips", "More PYTHON"]
    assert await titles(search="python", author_id=bob["id"], tag="web") == ["More PYTHON"]
    assert await titles(tag="unknown") == []


async def test_list_posts_paginates(client: httpx.AsyncClient) -> None:
    author = await create_user(client)
    for number in range(5):
        await create_post(client, author["id"], f"Post {number}")

    page = (await client.get("/posts", params={"limit": 2, "offset": 2})).json()

    assert [p["title"] for p in page["items"]] == ["Post 2", "Post 3"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 2)


async def test_listing_posts_does_not_query_per_post(client: httpx.AsyncClient, count_queries: QueryCounter) -> None:
    authors = [await create_user(client, f"author{n}") for n in range(4)]
    for number in range(20):
        tags = [f"tag{number % 3}", f"tag{number % 5 + 3}"]
        await create_post(client, authors[number % 4]["id"], f"Post {number}", tags=tags)

    with count_queries() as statements:
        response = await client.get("/posts", params={"limit": 20})

    page = response.json()
    assert len(page["items"]) == 20
    assert all(len(post["tags"]) == 2 and post["author"]["username"] for post in page["items"])
    # A fixed number of statements whatever the page size (see tests/database.py), never one per post.
    assert len(statements) <= database.POST_LIST_STATEMENTS, statements


async def test_update_post_replaces_tags(client: httpx.AsyncClient) -> None:
    author = await create_user(client)
    post = await create_post(client, author["id"], tags=["a", "b"])

    changes = {"title": "New title", "tags": ["b", "c"]}
    response = await client.patch(f"/posts/{post['id']}", json=changes, headers=auth(author["id"]))

    assert response.status_code == 200
    updated = response.json()
    assert updated["title"] == "New title"
    assert updated["body"] == post["body"]
    assert [t["name"] for t in updated["tags"]] == ["b", "c"]
    assert (await client.get(f"/posts/{post['id']}")).json() == updated


async def test_delete_post_keeps_its_tags(client: httpx.AsyncClient) -> None:
    author = await create_user(client)
    post = await create_post(client, author["id"], tags=["kept"])

    assert (await client.delete(f"/posts/{post['id']}", headers=auth(author["id"]))).status_code == 204

    assert (await client.get(f"/posts/{post['id']}")).status_code == 404
    assert [t["name"] for t in (await client.get("/tags")).json()["items"]] == ["kept"]


async def test_deleting_a_tag_removes_it_from_posts(client: httpx.AsyncClient) -> None:
    author = await create_user(client)
    post = await create_post(client, author["id"], tags=["gone", "stays"])
    gone = post["tags"][0]

    assert (await client.delete(f"/tags/{gone['id']}", headers=auth(author["id"]))).status_code == 204

    assert [t["name"] for t in (await client.get(f"/posts/{post['id']}")).json()["tags"]] == ["stays"]


async def test_post_validation(client: httpx.AsyncClient) -> None:
    author = await create_user(client)
    bad_payloads = [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "t", "author_id": author["id"]},
        {"title": "t", "tags": [f"t{n}" for n in range(11)]},
    ]
    for payload in bad_payloads:
        assert (await client.post("/posts", json=payload, headers=auth(author["id"]))).status_code == 422, payload
    assert (await client.get("/posts")).json()["total"] == 0


async def test_missing_post_is_404(client: httpx.AsyncClient) -> None:
    headers = auth((await create_user(client))["id"])
    for method in ("GET", "PATCH", "DELETE"):
        body: dict[str, str] | None = {} if method == "PATCH" else None
        response = await client.request(method, f"/posts/{MAX_ID}", json=body, headers=headers)
        assert response.status_code == 404, method
        assert response.json() == {"detail": f"Post {MAX_ID} not found"}
