from fastapi import APIRouter, Response, status

from app import crud
from app.api.deps import CacheDep, SessionDep
from app.api.json_body import JsonRoute
from app.api.params import Limit, Offset, ResourceId, Search
from app.api.responses import CONFLICT, NOT_FOUND, UNAVAILABLE
from app.core.cache import INVALIDATE_USER, user_entry
from app.core.errors import NotFoundError
from app.models import User
from app.schemas import Page, UserCreate, UserPublic, UserUpdate

# Successful writes below invalidate the cached answers they change (see app.core.cache).
router = APIRouter(
    route_class=JsonRoute, prefix="/users", tags=["users"], responses=UNAVAILABLE, dependencies=[INVALIDATE_USER]
)


async def _get_user_or_404(session: SessionDep, user_id: int) -> User:
    user = await crud.get_user(session, user_id)
    if user is None:
        raise NotFoundError("User", user_id)
    return user


@router.post("", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
async def create_user(session: SessionDep, data: UserCreate) -> UserPublic:
    return UserPublic.model_validate(await crud.create_user(session, data))


@router.get("")
async def list_users(
    session: SessionDep,
    search: Search = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[UserPublic]:
    users, total = await crud.list_users(session, limit=limit, offset=offset, search=search)
    items = [UserPublic.model_validate(user) for user in users]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{user_id}", response_model=UserPublic, responses=NOT_FOUND)
async def read_user(session: SessionDep, cache: CacheDep, user_id: ResourceId) -> Response:
    lookup = await cache.lookup(user_entry(user_id))
    if lookup.hit is not None:
        return lookup.hit
    return await cache.store(lookup, UserPublic.model_validate(await _get_user_or_404(session, user_id)))


@router.patch("/{user_id}", responses=NOT_FOUND | CONFLICT)
async def update_user(session: SessionDep, user_id: ResourceId, data: UserUpdate) -> UserPublic:
    user = await _get_user_or_404(session, user_id)
    return UserPublic.model_validate(await crud.update_user(session, user, data))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_user(session: SessionDep, user_id: ResourceId) -> None:
    await crud.delete_user(session, await _get_user_or_404(session, user_id))
