"""Data access for logins and refresh tokens (see `app.crud.common` for the rules)."""

from datetime import datetime

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.core.tokens import IssuedRefreshToken
from app.models.auth import RefreshToken
from app.models.users import User


async def get_login(session: AsyncSession, username: str) -> User | None:
    """The user called `username` (in any case), without their profile: what a login checks."""
    return await session.scalar(select(User).where(User.username == username.strip().lower()))


async def get_signed_in_user(session: AsyncSession, user_id: int, family: str) -> User | None:
    """The active user `user_id` with their profile, if their login `family` is not revoked.

    One query: the family's check is an indexed EXISTS inside the user's lookup.
    """
    signed_in = select(RefreshToken.id).where(
        RefreshToken.family == family,
        RefreshToken.user_id == user_id,
        RefreshToken.revoked_at.is_(None),
    )
    query = (
        select(User)
        .options(joinedload(User.profile))
        .where(User.id == user_id, User.is_active.is_(True), signed_in.exists())
    )
    return await session.scalar(query)


async def get_token_owner(session: AsyncSession, token: RefreshToken) -> User | None:
    """The user `token` was issued to, with their profile, if they are still active."""
    active = (User.id == token.user_id, User.is_active.is_(True))
    return await session.scalar(select(User).options(joinedload(User.profile)).where(*active))


async def add_refresh_token(session: AsyncSession, user: User, issued: IssuedRefreshToken, expires: datetime) -> None:
    session.add(RefreshToken(user_id=user.id, family=issued.family, token_hash=issued.digest, expires_at=expires))
    await session.flush()


async def get_refresh_token(session: AsyncSession, digest: str) -> RefreshToken | None:
    return await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest))


async def mark_rotated(session: AsyncSession, token: RefreshToken, now: datetime) -> bool:
    """Mark `token` rotated unless a concurrent request did first: True if this call did.

    One conditional UPDATE, so of two requests presenting the same token only one rotates it.
    """
    current = (
        RefreshToken.id == token.id,
        RefreshToken.rotated_at.is_(None),
        RefreshToken.revoked_at.is_(None),
    )
    result = await session.execute(update(RefreshToken).where(*current).values(rotated_at=now))
    # An UPDATE's result is a CursorResult: its rowcount is the number of rows the UPDATE matched.
    return isinstance(result, CursorResult) and result.rowcount == 1


async def revoke_family(session: AsyncSession, family: str, now: datetime) -> None:
    """Revoke every token of the login `family` (and so the access tokens issued with them)."""
    not_revoked = (RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
    await session.execute(update(RefreshToken).where(*not_revoked).values(revoked_at=now))
