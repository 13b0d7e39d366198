import httpx
from fastapi import FastAPI

from app.schemas.common import MAX_ID


async def test_liveness(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


async def test_unreachable_database_is_503_not_500(unreachable_client: httpx.AsyncClient) -> None:
    response = await unreachable_client.get("/users")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json() == {"detail": "The database is unavailable, please retry later"}

    ready = await unreachable_client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "unavailable", "cache": "ok"}

    assert (await unreachable_client.get("/health/live")).status_code == 200


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/users", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_out_of_range_ids_are_422(client: httpx.AsyncClient) -> None:
    for path in ("/users/0", f"/users/{MAX_ID + 1}", "/posts/-1", f"/tags/{2**63}", "/posts?author_id=99999999999"):
        assert (await client.get(path)).status_code == 422, path


def test_openapi_declares_error_answers(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    item = paths["/users/{user_id}"]
    assert {"404", "422", "503"} <= set(item["get"]["responses"])
    assert {"404", "409", "422", "503"} <= set(item["patch"]["responses"])
    assert {"409", "422", "503"} <= set(paths["/users"]["post"]["responses"])
    assert {"401", "409", "422", "503"} <= set(paths["/posts"]["post"]["responses"])
    assert {"401", "403", "404", "409", "422", "503"} <= set(paths["/users/{user_id}/deactivate"]["post"]["responses"])
    assert "503" in paths["/health/ready"]["get"]["responses"]
