"""The cache seen from HTTP: cached answers as responses, and invalidation after writes.

A cached read looks its entry up before anything queries the database, answers a hit
as it was stored, and stores what it loaded on a miss (see `read_user` in
app/api/routes/users.py). A successful write renews what its item's change renews
(app/core/cache_entries.py), through the `INVALIDATE_*` router dependencies: they
map each router's path parameter to the id of the entity it names.
"""

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from pydantic import BaseModel, TypeAdapter

from app.core.cache import Cache, Lookup
from app.core.cache_entries import post_changed, tag_changed, user_changed

_ITEM_ID = TypeAdapter(int)


def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


CacheDep = Annotated[Cache, Depends(get_cache)]


def cached_answer(body: bytes) -> Response:
    """A hit, answered with the JSON it was stored as: no model is built or serialised again."""
    return Response(body, media_type="application/json")


async def cache_answer(cache: Cache, lookup: Lookup, answer: BaseModel) -> Response:
    """Store a loaded `answer` for the next reads of its entry, and answer it."""
    body = answer.model_dump_json().encode()
    await cache.store(lookup, body)
    return cached_answer(body)


def invalidate_on_write(id_parameter: str, changed: Callable[[int], tuple[str, ...]]) -> Any:
    """A dependency of a router's writes (app/api/routing.py): after a successful one, renew what it changes.

    `scope="function"` runs the code after `yield` once the endpoint has returned
    (its transaction committed) and before the response is sent, so no client can
    read the old answer after seeing the write succeed. A failed request raises at
    the `yield` and invalidates nothing: it changed nothing.
    """

    async def invalidate(request: Request) -> AsyncIterator[None]:
        yield
        if id_parameter in request.path_params:
            # Parsed like FastAPI parsed it for the endpoint, so "/users/07" renews user 7.
            item_id = _ITEM_ID.validate_python(request.path_params[id_parameter])
            await get_cache(request).invalidate(changed(item_id))

    return Depends(invalidate, scope="function")


INVALIDATE_USER = invalidate_on_write("user_id", user_changed)
INVALIDATE_POST = invalidate_on_write("post_id", post_changed)
INVALIDATE_TAG = invalidate_on_write("tag_id", tag_changed)
