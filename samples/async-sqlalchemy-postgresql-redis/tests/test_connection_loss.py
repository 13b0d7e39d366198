"""A pooled connection that the server has dropped is replaced before a request gets it."""

import httpx
import pytest
from sqlalchemy import text

from app.core import db
from app.main import create_app
from tests.config import settings_for_tests

CONNECTION_ID = "SELECT pg_backend_pid()"
# Waits (up to 5 s) until the server has closed the connection.
DROP_CONNECTION = "SELECT pg_terminate_backend(:id, 5000)"


async def test_a_dropped_connection_is_replaced_when_it_was_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every connection counts as idle
    app = create_app(settings_for_tests(db_pool_size=1, db_max_overflow=0))
    async with app.router.lifespan_context(app):
        async with app.state.engine.connect() as connection:  # the pool's only connection
            connection_id = (await connection.execute(text(CONNECTION_ID))).scalar_one()
        admin = db.create_db_engine(settings_for_tests())
        async with admin.begin() as connection:
            await connection.execute(text(DROP_CONNECTION), {"id": connection_id})
        await admin.dispose()

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/health/ready")

    assert response.status_code == 200
