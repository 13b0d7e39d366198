"""Password hashing with argon2 (pwdlib's recommended parameters)."""

from functools import cache

from anyio import CapacityLimiter, to_thread
from pwdlib import PasswordHash

from app.core.config import get_settings

_hasher = PasswordHash.recommended()


@cache
def _hashing_slots() -> CapacityLimiter:
    # 64 MiB and four threads per hash (pwdlib's argon2 parameters): a burst of sign-ups queues here.
    return CapacityLimiter(get_settings().password_hash_concurrency)


async def hash_password(password: str) -> str:
    """Hash in a worker thread, so the event loop keeps serving while argon2 works.

    Async in every stack: routes hash in a dependency resolved before the request's
    session (`app.api.deps`), so a burst of sign-ups holds no database connection.
    """
    return await to_thread.run_sync(_hasher.hash, password, limiter=_hashing_slots())


def verify_password(password: str, hashed: str) -> bool:
    return _hasher.verify(password, hashed)
