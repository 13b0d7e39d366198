"""Services: the writes of the API, each one transaction, and the rules that span entities.

Routes call these for every write and `app.crud` for reads. A service runs its data
access inside `transaction`, so what one request writes is committed together, before
its response is sent, or not at all. Passwords arrive hashed: the routes hash them in a
dependency resolved before the request's session (`app.api.deps`), so that slow CPU
work holds no database connection.
"""

from app import crud
from app.core.db import DbSession, transaction
from app.core.errors import ConflictError
from app.models import Post, Tag, User
from app.schemas import PostCreate, PostUpdate, TagCreate, TagUpdate, UserCreate, UserDeactivate, UserUpdate

# --- users --------------------------------------------------------------------

SUCCESSOR_RULE = "The successor must be an existing, active user other than this one"


async def create_user(session: DbSession, data: UserCreate, hashed_password: str) -> User:
    async with transaction(session) as connection:
        return await crud.create_user(connection, data, hashed_password)


async def update_user(session: DbSession, user: User, data: UserUpdate, hashed_password: str | None) -> User:
    async with transaction(session) as connection:
        return await crud.update_user(connection, user, data, hashed_password)


async def delete_user(session: DbSession, user: User) -> None:
    async with transaction(session) as connection:
        await crud.delete_user(connection, user)


async def deactivate_user(session: DbSession, user: User, data: UserDeactivate) -> User:
    """Deactivate `user` and make the successor the author of their posts: both or neither.

    The successor must be an existing, active user other than `user` (ConflictError otherwise:
    the request is valid, the data it refers to is not in the state it needs).
    """
    async with transaction(session) as connection:
        successor = await crud.get_user(connection, data.successor_id)
        if successor is None or successor.id == user.id or not successor.is_active:
            raise ConflictError("user", "successor_id", SUCCESSOR_RULE)
        await crud.reassign_posts(connection, user, successor)
        return await crud.update_user(connection, user, UserUpdate(is_active=False))


# --- posts --------------------------------------------------------------------


async def create_post(session: DbSession, data: PostCreate) -> Post:
    async with transaction(session) as connection:
        return await crud.create_post(connection, data)


async def update_post(session: DbSession, post: Post, data: PostUpdate) -> Post:
    async with transaction(session) as connection:
        return await crud.update_post(connection, post, data)


async def delete_post(session: DbSession, post: Post) -> None:
    async with transaction(session) as connection:
        await crud.delete_post(connection, post)


# --- tags ---------------------------------------------------------------------


async def create_tag(session: DbSession, data: TagCreate) -> Tag:
    async with transaction(session) as connection:
        return await crud.create_tag(connection, data)


async def update_tag(session: DbSession, tag: Tag, data: TagUpdate) -> Tag:
    async with transaction(session) as connection:
        return await crud.update_tag(connection, tag, data)


async def delete_tag(session: DbSession, tag: Tag) -> None:
    async with transaction(session) as connection:
        await crud.delete_tag(connection, tag)
