import httpx

from tests.helpers import writer


async def test_tag_crud(client: httpx.AsyncClient) -> None:
    headers = await writer(client)
    created = await client.post("/tags", json={"name": " Python "}, headers=headers)
    assert created.status_code == 201
    tag = created.json()
    assert tag["name"] == "python"

    assert (await client.get(f"/tags/{tag['id']}")).json() == tag

    renamed = await client.patch(f"/tags/{tag['id']}", json={"name": "py"}, headers=headers)
    assert renamed.status_code == 200
    assert renamed.json() == {"id": tag["id"], "name": "py"}

    assert (await client.delete(f"/tags/{tag['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"/tags/{tag['id']}")).status_code == 404


async def test_duplicate_tag_conflicts(client: httpx.AsyncClient) -> None:
    headers = await writer(client)
    await client.post("/tags", json={"name": "python"}, headers=headers)
    other = (await client.post("/tags", json={"name": "rust"}, headers=headers)).json()

    duplicate = await client.post("/tags", json={"name": "PYTHON"}, headers=headers)
    rename = await client.patch(f"/tags/{other['id']}", json={"name": "python"}, headers=headers)

    assert duplicate.status_code == 409
    assert duplicate.json() == {"detail": "A tag with this name already exists", "field": "name"}
    assert rename.status_code == 409
    assert (await client.get(f"/tags/{other['id']}")).json()["name"] == "rust"


async def test_list_tags_searches_and_paginates(client: httpx.AsyncClient) -> None:
    headers = await writer(client)
    for name in ["python", "rust", "pydantic"]:
        await client.post("/tags", json={"name": name}, headers=headers)

    found = (await client.get("/tags", params={"search": "PY"})).json()
    assert [t["name"] for t in found["items"]] == ["python", "pydantic"]
    assert found["total"] == 2

    page = (await client.get("/tags", params={"limit": 1, "offset": 2})).json()
    assert [t["name"] for t in page["items"]] == ["pydantic"]
    assert page["total"] == 3


async def test_tag_validation(client: httpx.AsyncClient) -> None:
    headers = await writer(client)
    for name in ["", "x" * 51, "no/slash", "-leading-dash"]:
        assert (await client.post("/tags", json={"name": name}, headers=headers)).status_code == 422, name


async def test_tag_writes_need_a_token(client: httpx.AsyncClient) -> None:
    tag = (await client.post("/tags", json={"name": "kept"}, headers=await writer(client))).json()
    for method, path in (("POST", "/tags"), ("PATCH", f"/tags/{tag['id']}"), ("DELETE", f"/tags/{tag['id']}")):
        body = {"name": "other"} if method != "DELETE" else None
        response = await client.request(method, path, json=body)
        assert response.status_code == 401, method
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert (await client.get(f"/tags/{tag['id']}")).json() == tag


async def test_missing_tag_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/tags/424242")
    assert response.status_code == 404
    assert response.json() == {"detail": "Tag 424242 not found"}
