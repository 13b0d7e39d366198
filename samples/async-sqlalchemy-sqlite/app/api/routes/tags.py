from fastapi import APIRouter, status

from app.api.deps import SIGNED_IN, SessionDep, TagDep
from app.api.params import Limit, Offset, Search
from app.api.responses import CONFLICT, NOT_FOUND, TOO_MANY_REQUESTS, UNAUTHORIZED, UNAVAILABLE
from app.api.routing import with_write_dependencies
from app.core.rate_limit import LIMIT_WRITES
from app.crud import tags as tags_crud
from app.schemas.common import Page
from app.schemas.tags import TagCreate, TagPublic, TagUpdate
from app.services import tags as tags_service

router = APIRouter(
    route_class=with_write_dependencies(LIMIT_WRITES),
    prefix="/tags",
    tags=["tags"],
    responses=UNAVAILABLE,
)


# Writes need a token, of any active user.
@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=UNAUTHORIZED | CONFLICT | TOO_MANY_REQUESTS,
    dependencies=[SIGNED_IN],
)
async def create_tag(session: SessionDep, data: TagCreate) -> TagPublic:
    """Create a tag. 409 if the name is taken."""
    return TagPublic.model_validate(await tags_service.create_tag(session, data))


@router.get("")
async def list_tags(
    session: SessionDep,
    search: Search = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[TagPublic]:
    """List tags by id; `search` matches the name."""
    tags, total = await tags_crud.list_tags(session, limit=limit, offset=offset, search=search)
    items = [TagPublic.model_validate(tag) for tag in tags]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{tag_id}", responses=NOT_FOUND)
async def read_tag(tag: TagDep) -> TagPublic:
    """Read a tag."""
    return TagPublic.model_validate(tag)


@router.patch("/{tag_id}", responses=UNAUTHORIZED | NOT_FOUND | CONFLICT | TOO_MANY_REQUESTS, dependencies=[SIGNED_IN])
async def update_tag(session: SessionDep, tag: TagDep, data: TagUpdate) -> TagPublic:
    """Rename a tag. 409 if the name is taken."""
    return TagPublic.model_validate(await tags_service.update_tag(session, tag, data))


@router.delete(
    "/{tag_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=UNAUTHORIZED | NOT_FOUND | TOO_MANY_REQUESTS,
    dependencies=[SIGNED_IN],
)
async def delete_tag(session: SessionDep, tag: TagDep) -> None:
    """Delete a tag; the posts carrying it lose it."""
    await tags_service.delete_tag(session, tag)
