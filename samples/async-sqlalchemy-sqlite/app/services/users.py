"""The writes of users, and deactivation, which hands a user's posts to a successor."""

from app.core.db import DbSession, transaction
from app.core.errors import ConflictError
from app.crud import posts as posts_crud
from app.crud import users as users_crud
from app.models.users import User
from app.schemas.users import UserCreate, UserDeactivate, UserUpdate

SUCCESSOR_RULE = "The successor must be an existing, active user other than this one"


async def create_user(session: DbSession, data: UserCreate, hashed_password: str) -> User:
    async with transaction(session) as connection:
        return await users_crud.create_user(connection, data, hashed_password)


async def update_user(session: DbSession, user: User, data: UserUpdate, hashed_password: str | None) -> User:
    async with transaction(session) as connection:
        return await users_crud.update_user(connection, user, data, hashed_password)


async def delete_user(session: DbSession, user: User) -> None:
    async with transaction(session) as connection:
        await users_crud.delete_user(connection, user)


async def deactivate_user(session: DbSession, user: User, data: UserDeactivate) -> User:
    """Deactivate `user` and make the successor the author of their posts: both or neither.

    The successor must be an existing, active user other than `user` (ConflictError otherwise:
    the request is valid, the data it refers to is not in the state it needs).
    """
    async with transaction(session) as connection:
        successor = await users_crud.get_user(connection, data.successor_id)
        if successor is None or successor.id == user.id or not successor.is_active:
            raise ConflictError("user", "successor_id", SUCCESSOR_RULE)
        await posts_crud.reassign_posts(connection, user, successor)
        return await users_crud.update_user(connection, user, UserUpdate(is_active=False))
