"""Request and response models: what the API accepts and returns.

Inputs are bounded (lengths, counts) so nothing can reach the database as an
overflow; identifiers and text that must be unique are normalised to lowercase
so uniqueness means the same thing on every database engine.
"""

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints


def _as_utc(value: datetime) -> datetime:
    # SQLite and MySQL return naive datetimes; the service only ever stores UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$"),
]
Email = Annotated[EmailStr, Field(max_length=255), AfterValidator(str.lower)]
Password = Annotated[str, Field(min_length=8, max_length=128)]
Bio = Annotated[str, Field(max_length=500)]
AvatarUrl = Annotated[str, Field(max_length=500, pattern=r"^https?://\S+$")]
TagName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$"
    ),
]
TagNames = Annotated[list[TagName], Field(max_length=10), AfterValidator(lambda names: list(dict.fromkeys(names)))]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, Field(max_length=10_000)]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


# --- profiles -----------------------------------------------------------------


class ProfileIn(Schema):
    bio: Bio = ""
    avatar_url: AvatarUrl | None = None


class ProfilePublic(Schema):
    bio: str
    avatar_url: str | None


# --- users --------------------------------------------------------------------


class UserCreate(Schema):
    username: Username
    email: Email
    password: Password
    profile: ProfileIn = Field(default_factory=ProfileIn)


class UserUpdate(Schema):
    username: Username | None = None
    email: Email | None = None
    password: Password | None = None
    is_active: bool | None = None
    profile: ProfileIn | None = None


class UserSummary(Schema):
    id: int
    username: str


class UserPublic(Schema):
    id: int
    username: str
    email: str
    is_active: bool
    created_at: UtcDatetime
    profile: ProfilePublic


# --- tags ---------------------------------------------------------------------


class TagCreate(Schema):
    name: TagName


class TagUpdate(Schema):
    name: TagName


class TagPublic(Schema):
    id: int
    name: str


# --- posts --------------------------------------------------------------------


class PostCreate(Schema):
    title: Title
    body: Body = ""
    published: bool = False
    author_id: Annotated[int, Field(ge=1, le=2_147_483_647)]
    tags: TagNames = Field(default_factory=list)


class PostUpdate(Schema):
    title: Title | None = None
    body: Body | None = None
    published: bool | None = None
    tags: TagNames | None = None


class PostPublic(Schema):
    id: int
    title: str
    body: str
    published: bool
    created_at: UtcDatetime
    author: UserSummary
    tags: list[TagPublic]


# --- pages --------------------------------------------------------------------


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int
