from typing import Annotated

from fastapi import APIRouter, Query, status

from app.api.deps import CurrentUser, OwnPostDep, PostDep, SessionDep
from app.api.params import Limit, Offset, Search
from app.api.responses import CONFLICT, FORBIDDEN, NOT_FOUND, TOO_MANY_REQUESTS, UNAUTHORIZED, UNAVAILABLE
from app.api.routing import with_write_dependencies
from app.core.rate_limit import LIMIT_WRITES
from app.crud import posts as posts_crud
from app.schemas.common import MAX_ID, Page, TagName
from app.schemas.posts import PostCreate, PostPublic, PostUpdate
from app.services import posts as posts_service

router = APIRouter(
    route_class=with_write_dependencies(LIMIT_WRITES),
    prefix="/posts",
    tags=["posts"],
    responses=UNAVAILABLE,
)


# Writes need a token: a post's author is the caller, and only the author may change or delete it.
@router.post("", status_code=status.HTTP_201_CREATED, responses=UNAUTHORIZED | CONFLICT | TOO_MANY_REQUESTS)
async def create_post(session: SessionDep, author: CurrentUser, data: PostCreate) -> PostPublic:
    """Create a post by the caller; tags that do not exist yet are created with it."""
    return PostPublic.model_validate(await posts_service.create_post(session, data, author))


@router.get("")
async def list_posts(
    session: SessionDep,
    search: Search = None,
    author_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    tag: Annotated[TagName | None, Query()] = None,
    published: bool | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[PostPublic]:
    """List posts by id with their author and tags; the filters combine, `search` matches the title."""
    posts, total = await posts_crud.list_posts(
        session, limit=limit, offset=offset, search=search, author_id=author_id, tag=tag, published=published
    )
    items = [PostPublic.model_validate(post) for post in posts]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{post_id}", responses=NOT_FOUND)
async def read_post(post: PostDep) -> PostPublic:
    """Read a post with its author and tags."""
    return PostPublic.model_validate(post)


@router.patch("/{post_id}", responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND | CONFLICT | TOO_MANY_REQUESTS)
async def update_post(session: SessionDep, post: OwnPostDep, data: PostUpdate) -> PostPublic:
    """Change the fields given; `tags` replaces the post's tags, creating the missing ones. Author only."""
    return PostPublic.model_validate(await posts_service.update_post(session, post, data))


@router.delete(
    "/{post_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND | TOO_MANY_REQUESTS,
)
async def delete_post(session: SessionDep, post: OwnPostDep) -> None:
    """Delete a post; its tags remain. Author only."""
    await posts_service.delete_post(session, post)
