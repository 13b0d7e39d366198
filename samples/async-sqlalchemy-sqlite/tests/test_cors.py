"""CORS: answered for the origins CORS_ORIGINS lists, absent without any."""

from fastapi.middleware.cors import CORSMiddleware

from app.main import create_app
from tests.config import settings_for_tests
from tests.helpers import client_of

ORIGIN = "https://app.example.com"
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization",
}


async def test_listed_origins_may_call_the_api() -> None:
    async with client_of(create_app(settings_for_tests(cors_origins=f"{ORIGIN}, https://admin.example.com"))) as client:
        preflight = await client.options("/tags", headers=PREFLIGHT)
        read = await client.get("/tags", headers={"Origin": ORIGIN})
        other = await client.get("/tags", headers={"Origin": "https://elsewhere.example.com"})

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert read.headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-origin" not in other.headers


async def test_without_origins_there_is_no_cors_at_all() -> None:
    application = create_app(settings_for_tests())
    assert CORSMiddleware.__name__ not in {getattr(item.cls, "__name__", "") for item in application.user_middleware}
    async with client_of(application) as client:
        read = await client.get("/tags", headers={"Origin": ORIGIN})
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers
