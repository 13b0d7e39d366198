"""Access tokens (signed JWTs) and refresh tokens (random strings, stored as their digest).

Pure functions, no database: `app.services.auth` issues, rotates and revokes tokens with them.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import SecretStr

# Pinned on decode: a token naming another algorithm ("none", or RS256 with our key as a
# "public key") is refused instead of trusted.
ALGORITHM = "HS256"
# `fam` is the refresh-token family (the login) the access token was issued for: revoking the
# family (logout, a reused refresh token) stops its access tokens at once (`app.api.deps`).
REQUIRED_CLAIMS = ("sub", "exp", "iat", "jti", "fam")


class InvalidTokenError(Exception):
    """A token that cannot be trusted: expired, tampered, signed otherwise, malformed, incomplete.

    One error for every reason, so callers answer one 401 and tell an attacker nothing.
    """


@dataclass(frozen=True)
class AccessClaims:
    subject: str
    token_id: str
    family: str
    issued_at: datetime
    expires_at: datetime


def create_access_token(
    subject: str, family: str, key: SecretStr, lifetime: timedelta, *, now: datetime | None = None
) -> str:
    issued_at = now or datetime.now(UTC)
    claims = {
        "sub": subject,
        "fam": family,
        "iat": issued_at,
        "exp": issued_at + lifetime,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, key.get_secret_value(), algorithm=ALGORITHM)


def decode_access_token(token: str, key: SecretStr) -> AccessClaims:
    """The claims of a valid token; `InvalidTokenError` otherwise (its cause says why, for logs only)."""
    try:
        claims = jwt.decode(
            token, key.get_secret_value(), algorithms=[ALGORITHM], options={"require": list(REQUIRED_CLAIMS)}
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError from error
    subject, token_id, family = claims["sub"], claims["jti"], claims["fam"]
    if not all(isinstance(value, str) for value in (subject, token_id, family)):
        raise InvalidTokenError
    return AccessClaims(
        subject=subject,
        token_id=token_id,
        family=family,
        issued_at=datetime.fromtimestamp(claims["iat"], UTC),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )


@dataclass(frozen=True)
class IssuedRefreshToken:
    token: str  # given to the client once, never stored
    digest: str  # stored, to find the token again
    family: str  # shared by every token rotated from one login, so a reused one can revoke them all


def refresh_token_digest(token: str) -> str:
    """SHA-256 of a refresh token. A fast hash is enough here, unlike for passwords: the token is
    32 random bytes, so a leaked digest cannot be reversed by guessing, however fast each guess is."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token(family: str | None = None) -> IssuedRefreshToken:
    """A fresh refresh token; `family` is the one it rotates within, or None for a new login."""
    token = secrets.token_urlsafe(32)
    return IssuedRefreshToken(
        token=token, digest=refresh_token_digest(token), family=family or secrets.token_urlsafe(16)
    )
