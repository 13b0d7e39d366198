import pytest
from pwdlib import PasswordHash
from pydantic import ValidationError

from app.core import security
from app.core.config import Settings
from app.core.security import hash_password, verify_password
from tests.config import TEST_DATABASE_URL
from tests.helpers import PASSWORD


async def test_passwords_are_hashed_with_argon2() -> None:
    hashed = await hash_password(PASSWORD)

    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert await verify_password(PASSWORD, hashed)
    assert not await verify_password("wrong password", hashed)


class CountingHasher:
    """The tests' hasher, recording each hash it verifies against."""

    def __init__(self, hasher: PasswordHash) -> None:
        self.hasher = hasher
        self.verified: list[str] = []

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password: str, hashed: str) -> bool:
        self.verified.append(hashed)
        return self.hasher.verify(password, hashed)


async def test_an_unknown_user_costs_a_verification_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """No hash (an unknown user) is refused after the same argon2 work as a wrong password."""
    hasher = CountingHasher(security._hasher)
    monkeypatch.setattr(security, "_hasher", hasher)

    assert not await verify_password(PASSWORD, None)
    assert not await verify_password(PASSWORD, None)

    assert len(hasher.verified) == 2, hasher.verified
    assert hasher.verified[0].startswith("$argon2id$")
    assert hasher.verified[0] == hasher.verified[1], "the dummy hash is made once"


def settings(**values: object) -> Settings:
    """Settings from `values` only (model_validate reads no environment variable and no .env file)."""
    return Settings.model_validate({"database_url": TEST_DATABASE_URL, **values})


def test_production_refuses_to_start_without_a_secret_key() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY must be set when ENVIRONMENT=production"):
        settings(environment="production")


@pytest.mark.parametrize("weak", ["short-but-secret", "change-me" * 4, "REPLACE-ME", "a" * 64])
def test_a_weak_secret_key_is_refused_without_being_shown(weak: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY is too weak") as refused:
        settings(environment="production", secret_key=weak)
    assert weak not in str(refused.value)


def test_without_a_secret_key_a_process_uses_a_random_one() -> None:
    first, second = settings(), settings(environment="test")

    assert first.secret_key_generated
    assert second.secret_key_generated
    assert first.secret_key == second.secret_key, "one key per process, whichever app signs"
    assert len(first.secret_key.get_secret_value()) >= 32
    assert not settings(secret_key="0123456789abcdef" * 4).secret_key_generated
