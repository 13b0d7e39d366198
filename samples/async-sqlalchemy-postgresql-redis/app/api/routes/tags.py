from fastapi import APIRouter, status

from app import crud
from app.api.deps import SessionDep
from app.api.json_body import JsonRoute
from app.api.params import Limit, Offset, ResourceId, Search
from app.api.responses import CONFLICT, NOT_FOUND, UNAVAILABLE
from app.core.cache import INVALIDATE_TAG
from app.core.errors import NotFoundError
from app.models import Tag
from app.schemas import Page, TagCreate, TagPublic, TagUpdate

# Tags are not cached, but cached posts show them: renaming or deleting one invalidates those.
router = APIRouter(
    route_class=JsonRoute, prefix="/tags", tags=["tags"], responses=UNAVAILABLE, dependencies=[INVALIDATE_TAG]
)


async def _get_tag_or_404(session: SessionDep, tag_id: int) -> Tag:
    tag = await crud.get_tag(session, tag_id)
    if tag is None:
        raise NotFoundError("Tag", tag_id)
    return tag


@router.post("", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def create_tag(session: SessionDep, data: TagCreate) -> TagPublic:
    return TagPublic.model_validate(await crud.create_tag(session, data))


@router.get("")
async def list_tags(
    session: SessionDep,
    search: Search = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[TagPublic]:
    tags, total = await crud.list_tags(session, limit=limit, offset=offset, search=search)
    items = [TagPublic.model_validate(tag) for tag in tags]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{tag_id}", responses=NOT_FOUND)
async def read_tag(session: SessionDep, tag_id: ResourceId) -> TagPublic:
    return TagPublic.model_validate(await _get_tag_or_404(session, tag_id))


@router.patch("/{tag_id}", responses=NOT_FOUND | CONFLICT)
async def update_tag(session: SessionDep, tag_id: ResourceId, data: TagUpdate) -> TagPublic:
    tag = await _get_tag_or_404(session, tag_id)
    return TagPublic.model_validate(await crud.update_tag(session, tag, data))


@router.delete("/{tag_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_tag(session: SessionDep, tag_id: ResourceId) -> None:
    await crud.delete_tag(session, await _get_tag_or_404(session, tag_id))
