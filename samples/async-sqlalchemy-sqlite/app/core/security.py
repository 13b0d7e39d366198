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
    # argon2 is deliberately slow: hash in a worker thread so the event loop keeps serving.
    return await to_thread.run_sync(_hasher.hash, password, limiter=_hashing_slots())


def verify_password(password: str, hashed: str) -> bool:
    return _hasher.verify(password, hashed)
