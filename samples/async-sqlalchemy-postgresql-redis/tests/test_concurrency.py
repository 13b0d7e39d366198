import asyncio

import httpx

from app.main import create_app
from tests.config import settings_for_tests
from tests.helpers import create_post, create_user


async def test_concurrent_requests_each_get_a_working_session(client: httpx.AsyncClient) -> None:
    """Requests served at the same time must not share or trip over each other's sessions."""
    author = await create_user(client)
    post = await create_post(client, author["id"], tags=["a"])

    responses = await asyncio.gather(*(client.get(f"/posts/{post['id']}") for _ in range(20)))

    assert [r.status_code for r in responses] == [200] * 20
    assert all(r.json() == post for r in responses)


async def test_more_requests_than_connections_wait_their_turn(client: httpx.AsyncClient) -> None:
    """With two connections, thirty requests at once all succeed: the others queue, none times out."""
    author = await create_user(client)
    post = await create_post(client, author["id"], tags=["a"])
    small_pool = create_app(settings_for_tests(db_pool_size=2, db_max_overflow=0, db_pool_timeout=10))
    async with small_pool.router.lifespan_context(small_pool):
        transport = httpx.ASGITransport(app=small_pool)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as small_client:
            responses = await asyncio.gather(*(small_client.get(f"/posts/{post['id']}") for _ in range(30)))

    assert [r.status_code for r in responses] == [200] * 30
