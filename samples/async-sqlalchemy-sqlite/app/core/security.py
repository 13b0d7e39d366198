"""Password hashing with argon2 (pwdlib's recommended parameters)."""

from anyio import to_thread
from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow: hash in a worker thread so the event loop keeps serving.
    return await to_thread.run_sync(_hasher.hash, password)


def verify_password(password: str, hashed: str) -> bool:
    return _hasher.verify(password, hashed)
