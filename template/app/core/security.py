"""Password hashing with argon2 (pwdlib's recommended parameters)."""

import secrets
from functools import cache

from anyio import CapacityLimiter, to_thread
from pwdlib import PasswordHash

from app.core.config import get_settings

_hasher = PasswordHash.recommended()


@cache
def _hashing_slots() -> CapacityLimiter:
    # 64 MiB and four threads per hash (pwdlib's argon2 parameters): a burst of sign-ups or logins queues here.
    return CapacityLimiter(get_settings().password_hash_concurrency)


@cache
def _dummy_hash() -> str:
    # A hash of a password nobody knows, made once with the same parameters as real ones.
    return _hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    """Hash in a worker thread, so the event loop keeps serving while argon2 works.

    Async in every stack: routes hash in a dependency resolved before the request's
    session (`app.api.deps`), so a burst of sign-ups holds no database connection.
    """
    return await to_thread.run_sync(_hasher.hash, password, limiter=_hashing_slots())


def _verify(password: str, hashed: str | None) -> bool:
    if hashed is None:
        _hasher.verify(password, _dummy_hash())
        return False
    return _hasher.verify(password, hashed)


async def verify_password(password: str, hashed: str | None) -> bool:
    """Check `password` in a worker thread, on the same slots as hashing.

    `hashed` is None for an unknown user: the password is then checked against a dummy
    hash and refused, so an unknown name costs the same time as a wrong password and
    the two cannot be told apart.
    """
    return await to_thread.run_sync(_verify, password, hashed, limiter=_hashing_slots())
