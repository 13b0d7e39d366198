"""Dependencies shared by the routes: the request's session, the resource a path names, hashed passwords.

`UserDep`, `PostDep` and `TagDep` load the item of the path's id or answer 404, so a
handler receives the item itself. Each takes its connection when it queries.

`NewUserDep` and `UserChangesDep` parse a user's body and hash its password. A handler
declares them first: FastAPI resolves dependencies in order, so the slow hash is done
before the request takes its session, and a burst of sign-ups holds no database connection.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from app.api.params import ResourceId
from app.core.db import DbSession, get_session
from app.core.errors import NotFoundError
from app.core.security import hash_password
from app.crud import posts as posts_crud
from app.crud import tags as tags_crud
from app.crud import users as users_crud
from app.models.posts import Post
from app.models.tags import Tag
from app.models.users import User
from app.schemas.users import UserCreate, UserUpdate

SessionDep = Annotated[DbSession, Depends(get_session)]


async def get_user_or_404(session: SessionDep, user_id: ResourceId) -> User:
    user = await users_crud.get_user(session, user_id)
    if user is None:
        raise NotFoundError("User", user_id)
    return user


async def get_post_or_404(session: SessionDep, post_id: ResourceId) -> Post:
    post = await posts_crud.get_post(session, post_id)
    if post is None:
        raise NotFoundError("Post", post_id)
    return post


async def get_tag_or_404(session: SessionDep, tag_id: ResourceId) -> Tag:
    tag = await tags_crud.get_tag(session, tag_id)
    if tag is None:
        raise NotFoundError("Tag", tag_id)
    return tag


UserDep = Annotated[User, Depends(get_user_or_404)]
PostDep = Annotated[Post, Depends(get_post_or_404)]
TagDep = Annotated[Tag, Depends(get_tag_or_404)]


@dataclass(frozen=True)
class NewUser:
    data: UserCreate
    hashed_password: str


@dataclass(frozen=True)
class UserChanges:
    data: UserUpdate
    hashed_password: str | None  # None when the password is not changed


async def hash_new_user(data: UserCreate) -> NewUser:
    return NewUser(data, await hash_password(data.password))


async def hash_user_changes(data: UserUpdate) -> UserChanges:
    return UserChanges(data, None if data.password is None else await hash_password(data.password))


NewUserDep = Annotated[NewUser, Depends(hash_new_user)]
UserChangesDep = Annotated[UserChanges, Depends(hash_user_changes)]
