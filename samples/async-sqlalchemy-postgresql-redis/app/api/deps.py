"""Dependencies shared by the routes: the request's session, and the resource a path names.

`UserDep`, `PostDep` and `TagDep` load the item of the path's id or answer 404, so a
handler receives the item itself. Each takes its connection when it queries.
"""

from typing import Annotated

from fastapi import Depends

from app import crud
from app.api.params import ResourceId
from app.core.cache import Cache, get_cache
from app.core.db import DbSession, get_session
from app.core.errors import NotFoundError
from app.models import Post, Tag, User

SessionDep = Annotated[DbSession, Depends(get_session)]
CacheDep = Annotated[Cache, Depends(get_cache)]


async def get_user_or_404(session: SessionDep, user_id: ResourceId) -> User:
    user = await crud.get_user(session, user_id)
    if user is None:
        raise NotFoundError("User", user_id)
    return user


async def get_post_or_404(session: SessionDep, post_id: ResourceId) -> Post:
    post = await crud.get_post(session, post_id)
    if post is None:
        raise NotFoundError("Post", post_id)
    return post


async def get_tag_or_404(session: SessionDep, tag_id: ResourceId) -> Tag:
    tag = await crud.get_tag(session, tag_id)
    if tag is None:
        raise NotFoundError("Tag", tag_id)
    return tag


UserDep = Annotated[User, Depends(get_user_or_404)]
PostDep = Annotated[Post, Depends(get_post_or_404)]
TagDep = Annotated[Tag, Depends(get_tag_or_404)]
