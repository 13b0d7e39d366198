"""Data access for users and their profiles (see `app.crud.common` for the rules)."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.crud.common import _contains, _count, _flush
from app.models.users import Profile, User
from app.schemas.users import UserCreate, UserUpdate

USER_UNIQUE_FIELDS = ("username", "email")


async def create_user(session: AsyncSession, data: UserCreate, hashed_password: str) -> User:
    """Add a user and its profile."""
    user = User(
        username=data.username,
        email=data.email,
        hashed_password=hashed_password,
        profile=Profile(bio=data.profile.bio, avatar_url=data.profile.avatar_url),
    )
    session.add(user)
    await _flush(session, "user", "users", USER_UNIQUE_FIELDS)
    return user


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.scalar(select(User).options(joinedload(User.profile)).where(User.id == user_id))


async def list_users(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    search: str | None = None,
) -> tuple[Sequence[User], int]:
    conditions: list[ColumnElement[bool]] = []
    if search:
        pattern = _contains(search)
        conditions.append(User.username.ilike(pattern, escape="/") | User.email.ilike(pattern, escape="/"))
    query = select(User).options(joinedload(User.profile)).where(*conditions).order_by(User.id)
    users = list(await session.scalars(query.limit(limit).offset(offset)))
    return users, await _count(session, User, conditions)


async def update_user(
    session: AsyncSession,
    user: User,
    data: UserUpdate,
    hashed_password: str | None = None,
) -> User:
    """Apply the fields present in `data` (the password as `hashed_password`); `user` comes from `get_user`."""
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True, exclude={"password", "profile"}).items():
        setattr(user, field, value)
    if hashed_password is not None:
        user.hashed_password = hashed_password
    if data.profile is not None:
        for field, value in data.profile.model_dump(exclude_unset=True).items():
            setattr(user.profile, field, value)
    await _flush(session, "user", "users", USER_UNIQUE_FIELDS)
    return user


async def delete_user(session: AsyncSession, user: User) -> None:
    """Delete a user; the database cascades to the profile, the posts and their tag links."""
    await session.delete(user)
    await session.flush()
