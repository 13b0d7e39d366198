"""Access and refresh tokens: what is accepted, and each way a token is refused."""

import base64
import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from app.core.tokens import (
    ALGORITHM,
    REQUIRED_CLAIMS,
    InvalidTokenError,
    create_access_token,
    decode_access_token,
    new_refresh_token,
)

# Long enough for HS512 too (PyJWT warns below 64 bytes), so only the algorithm differs there.
KEY = SecretStr(secrets.token_urlsafe(64))
LIFETIME = timedelta(minutes=15)
FAMILY = "family-1"


def claims(**changes: object) -> dict[str, object]:
    """Valid claims, as the JSON numbers a token carries, with `changes` applied."""
    now = int(datetime.now(UTC).timestamp())
    expires = now + int(LIFETIME.total_seconds())
    return {"sub": "42", "iat": now, "exp": expires, "jti": "token-1", "fam": FAMILY, **changes}


def segment(part: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def test_round_trip() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    token = create_access_token("42", FAMILY, KEY, LIFETIME, now=now)

    decoded = decode_access_token(token, KEY)

    assert (decoded.subject, decoded.family) == ("42", FAMILY)
    assert (decoded.issued_at, decoded.expires_at) == (now, now + LIFETIME)
    assert jwt.get_unverified_header(token)["alg"] == ALGORITHM
    assert decoded.token_id != decode_access_token(create_access_token("42", FAMILY, KEY, LIFETIME), KEY).token_id


def test_expired_token_is_refused() -> None:
    token = create_access_token("42", FAMILY, KEY, LIFETIME, now=datetime.now(UTC) - LIFETIME - timedelta(seconds=1))
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, KEY)


def test_tampered_token_is_refused() -> None:
    header, _, signature = create_access_token("42", FAMILY, KEY, LIFETIME).split(".")
    forged = f"{header}.{segment(claims(sub='1'))}.{signature}"
    with pytest.raises(InvalidTokenError):
        decode_access_token(forged, KEY)
    with pytest.raises(InvalidTokenError):
        decode_access_token(create_access_token("42", FAMILY, SecretStr(secrets.token_urlsafe(32)), LIFETIME), KEY)


def test_unsigned_token_is_refused() -> None:
    unsigned = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims())}."
    with pytest.raises(InvalidTokenError):
        decode_access_token(unsigned, KEY)


def test_token_of_another_algorithm_is_refused() -> None:
    token = jwt.encode(claims(), KEY.get_secret_value(), algorithm="HS512")
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, KEY)


@pytest.mark.parametrize("missing", REQUIRED_CLAIMS)
def test_token_without_a_required_claim_is_refused(missing: str) -> None:
    incomplete = {name: value for name, value in claims().items() if name != missing}
    token = jwt.encode(incomplete, KEY.get_secret_value(), algorithm=ALGORITHM)
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, KEY)


def test_malformed_token_is_refused() -> None:
    with pytest.raises(InvalidTokenError):
        decode_access_token("not.a.token", KEY)


def test_refresh_tokens_are_random_and_stored_as_digests() -> None:
    first, second = new_refresh_token(), new_refresh_token()
    rotated = new_refresh_token(family=first.family)

    assert len({first.token, second.token, rotated.token}) == 3
    assert first.digest == hashlib.sha256(first.token.encode()).hexdigest()
    assert first.token not in first.digest
    assert first.family != second.family, "each login starts a family of its own"
    assert rotated.family == first.family, "a rotated token stays in its family"
