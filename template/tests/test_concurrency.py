import asyncio

import httpx

from tests.helpers import create_post, create_user


async def test_concurrent_requests_each_get_a_working_session(client: httpx.AsyncClient) -> None:
    """Requests served at the same time must not share or trip over each other's sessions."""
    author = await create_user(client)
    post = await create_post(client, author["id"], tags=["a"])

    responses = await asyncio.gather(*(client.get(f"/posts/{post['id']}") for _ in range(20)))

    assert [r.status_code for r in responses] == [200] * 20
    assert all(r.json() == post for r in responses)
