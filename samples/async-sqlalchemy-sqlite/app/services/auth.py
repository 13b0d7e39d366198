"""Logins, and the rotation and revocation of the refresh tokens they issue."""

from datetime import datetime, timedelta

from app.core.config import Settings
from app.core.db import DbSession, transaction
from app.core.errors import NotAuthenticatedError
from app.core.security import verify_password
from app.core.tokens import IssuedRefreshToken, create_access_token, new_refresh_token, refresh_token_digest
from app.crud import auth as auth_crud
from app.models.auth import RefreshToken
from app.models.common import utc_now
from app.models.users import User
from app.schemas.auth import TokenPair

# One answer for an unknown user, a wrong password and an inactive account: it tells nothing.
LOGIN_REFUSED = "Incorrect username or password"


def _expired(token: RefreshToken, now: datetime) -> bool:
    # SQLite and MySQL give back naive datetimes: UTC, as the service stores every time.
    return token.expires_at <= (now if token.expires_at.tzinfo else now.replace(tzinfo=None))


def _token_pair(user: User, issued: IssuedRefreshToken, settings: Settings) -> TokenPair:
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access_token = create_access_token(str(user.id), issued.family, settings.secret_key, lifetime)
    return TokenPair(access_token=access_token, expires_in=int(lifetime.total_seconds()), refresh_token=issued.token)


async def _issue(session: DbSession, user: User, issued: IssuedRefreshToken, settings: Settings) -> TokenPair:
    expires_at = utc_now() + timedelta(days=settings.refresh_token_days)
    await auth_crud.add_refresh_token(session, user, issued, expires_at)
    return _token_pair(user, issued, settings)


async def log_in(session: DbSession, username: str, password: str, settings: Settings) -> TokenPair:
    """Tokens for a new login (a new family) if `password` is the active user `username`'s.

    The user's hash is read in a transaction of its own, which ends (and returns its
    connection) before argon2 runs in a worker thread; an unknown user is checked against
    a dummy hash, so every refusal costs the same work and gives the same answer.
    """
    async with transaction(session) as connection:
        user = await auth_crud.get_login(connection, username)
    hashed = None if user is None else user.hashed_password
    verified = await verify_password(password, hashed)
    if user is None or not verified or not user.is_active:
        raise NotAuthenticatedError(LOGIN_REFUSED)
    async with transaction(session) as connection:
        return await _issue(connection, user, new_refresh_token(), settings)


async def refresh(session: DbSession, presented: str, settings: Settings) -> TokenPair:
    """Rotate the refresh token `presented`: it is marked rotated and a new one of its family issued.

    Only a current token (not rotated, revoked or expired) rotates. A rotated one presented
    again means two parties hold the family's tokens (one of them a thief): the whole family
    is revoked, its access tokens with it, and the answer is the same 401 as for any refusal.
    """
    now = utc_now()
    pair: TokenPair | None = None
    async with transaction(session) as connection:
        stored = await auth_crud.get_refresh_token(connection, refresh_token_digest(presented))
        if stored is None or stored.revoked_at is not None or _expired(stored, now):
            raise NotAuthenticatedError
        if stored.rotated_at is None and await auth_crud.mark_rotated(connection, stored, now):
            user = await auth_crud.get_token_owner(connection, stored)
            if user is None:
                raise NotAuthenticatedError
            pair = await _issue(connection, user, new_refresh_token(stored.family), settings)
        else:
            await auth_crud.revoke_family(connection, stored.family, now)
    if pair is None:  # the revocation above is committed; the reuse is refused
        raise NotAuthenticatedError
    return pair


async def log_out(session: DbSession, presented: str) -> None:
    """Revoke the family of the refresh token `presented`: every token of that login stops working."""
    async with transaction(session) as connection:
        stored = await auth_crud.get_refresh_token(connection, refresh_token_digest(presented))
        if stored is not None:
            await auth_crud.revoke_family(connection, stored.family, utc_now())
