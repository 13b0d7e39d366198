from fastapi import APIRouter, HTTPException, status

from app.api.deps import TOKEN_REQUIRED, CurrentUser, NewUserDep, OwnUserDep, SessionDep, UserChangesDep, UserDep
from app.api.params import Limit, Offset, Search
from app.api.responses import CONFLICT, FORBIDDEN, NOT_FOUND, TOO_MANY_REQUESTS, UNAUTHORIZED, UNAVAILABLE
from app.api.routing import with_write_dependencies
from app.core.rate_limit import LIMIT_SIGNUP, LIMIT_WRITES
from app.crud import users as users_crud
from app.schemas.common import Page
from app.schemas.users import UserDeactivate, UserPublic
from app.services import users as users_service

router = APIRouter(
    route_class=with_write_dependencies(LIMIT_WRITES),
    prefix="/users",
    tags=["users"],
    responses=UNAVAILABLE,
)


# Sign-ups have a strict limit of their own (RATE_LIMIT_SIGNUP), checked before the password is hashed.
@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=CONFLICT | TOO_MANY_REQUESTS, dependencies=[LIMIT_SIGNUP]
)
async def create_user(new_user: NewUserDep, session: SessionDep) -> UserPublic:
    """Create a user with their profile. 409 if the username or email is taken."""
    user = await users_service.create_user(session, new_user.data, new_user.hashed_password)
    return UserPublic.model_validate(user)


@router.get("")
async def list_users(
    session: SessionDep,
    search: Search = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[UserPublic]:
    """List users by id; `search` matches the username or email."""
    users, total = await users_crud.list_users(session, limit=limit, offset=offset, search=search)
    items = [UserPublic.model_validate(user) for user in users]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/me", responses=UNAUTHORIZED)
async def read_me(user: CurrentUser) -> UserPublic:
    """The user the access token names."""
    return UserPublic.model_validate(user)


# /users/me has GET only, but /users/{user_id} matches the same URL and would refuse "me" as an
# id (422): the other methods of /users/{user_id} get their 405 here instead.
@router.api_route("/me", methods=["PATCH", "DELETE"], include_in_schema=False)
async def me_method_not_allowed() -> None:
    raise HTTPException(status.HTTP_405_METHOD_NOT_ALLOWED)


@router.get("/{user_id}", responses=NOT_FOUND)
async def read_user(user: UserDep) -> UserPublic:
    """Read a user."""
    return UserPublic.model_validate(user)


# Users change only their own account (403 otherwise). The token is checked before a new
# password is hashed, so a request without one costs no hashing.
@router.patch(
    "/{user_id}",
    responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND | CONFLICT | TOO_MANY_REQUESTS,
    dependencies=[TOKEN_REQUIRED],
)
async def update_user(changes: UserChangesDep, session: SessionDep, user: OwnUserDep) -> UserPublic:
    """Change the fields given. 409 if the new username or email is taken."""
    updated = await users_service.update_user(session, user, changes.data, changes.hashed_password)
    return UserPublic.model_validate(updated)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND | TOO_MANY_REQUESTS,
)
async def delete_user(session: SessionDep, user: OwnUserDep) -> None:
    """Delete a user with their profile and posts."""
    await users_service.delete_user(session, user)


@router.post("/{user_id}/deactivate", responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND | CONFLICT | TOO_MANY_REQUESTS)
async def deactivate_user(session: SessionDep, user: OwnUserDep, data: UserDeactivate) -> UserPublic:
    """Deactivate a user and make another user the author of their posts, all or nothing.

    404 if the user does not exist; 409 unless the successor is an existing, active, other user.
    """
    return UserPublic.model_validate(await users_service.deactivate_user(session, user, data))
