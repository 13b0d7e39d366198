"""What the API models of every resource share: field types, the base class, `Page`.

Inputs are bounded (lengths, counts) so nothing can reach the database as an
overflow; identifiers and text that must be unique are normalised to lowercase
so uniqueness means the same thing on every database engine.
"""

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

# Ids are 32-bit integers on every engine: larger values get a 422, never an overflow.
MAX_ID = 2_147_483_647
# PostgreSQL cannot store NUL in text: every free-text input carries this pattern so such text is a
# documented 422 on every engine (and the OpenAPI pattern tells clients, and fuzzers, in advance).
NUL_FREE = r"^[^\x00]*$"
# The username column's size: a longer name is a 422 wherever one is sent, even to log in.
USERNAME_MAX_LENGTH = 50


def _as_utc(value: datetime) -> datetime:
    # SQLite and MySQL return naive datetimes; the service only ever stores UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=3,
        max_length=USERNAME_MAX_LENGTH,
        pattern=r"^[A-Za-z0-9_.-]+$",
    ),
]
# The OpenAPI document must not promise what the validator (email-validator) refuses: addresses
# over 254 characters (RFC 5321, though the column holds 255) and special-use domains (RFC 6761:
# `.test`, `.invalid`, `localhost`...). The pattern only documents the latter; validation is EmailStr's.
RESERVED_DOMAINS = r"^(?i)(?!.*@(?:[^@]*\.)?(?:arpa|invalid|local|localhost|onion|test)$)"
Email = Annotated[
    EmailStr,
    Field(max_length=254, json_schema_extra={"pattern": RESERVED_DOMAINS}),
    AfterValidator(str.lower),
]
Password = Annotated[str, Field(min_length=8, max_length=128)]
Bio = Annotated[str, StringConstraints(max_length=500, pattern=NUL_FREE)]
AvatarUrl = Annotated[str, Field(max_length=500, pattern=r"^https?://[^\s\x00]+$")]
TagName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$"
    ),
]
TagNames = Annotated[list[TagName], Field(max_length=10), AfterValidator(lambda names: list(dict.fromkeys(names)))]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NUL_FREE)]
Body = Annotated[str, StringConstraints(max_length=10_000, pattern=NUL_FREE)]
AuthorId = Annotated[int, Field(ge=1, le=MAX_ID)]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


# --- pages --------------------------------------------------------------------


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int
