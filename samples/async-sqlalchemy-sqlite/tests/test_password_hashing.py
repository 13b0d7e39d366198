from app.core.security import hash_password, verify_password
from tests.helpers import PASSWORD


async def test_passwords_are_hashed_with_argon2() -> None:
    hashed = await hash_password(PASSWORD)

    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert verify_password(PASSWORD, hashed)
    assert not verify_password("wrong password", hashed)
