"""What the API accepts and returns for posts."""

from pydantic import Field, StrictBool

from app.schemas.common import Body, Schema, TagNames, Title, UtcDatetime
from app.schemas.tags import TagPublic
from app.schemas.users import UserSummary


class PostCreate(Schema):
    title: Title
    body: Body = ""
    published: StrictBool = False  # JSON true/false only: the schema says boolean, so 0 or "yes" is a 422
    tags: TagNames = Field(default_factory=list)


class PostUpdate(Schema):
    title: Title | None = None
    body: Body | None = None
    published: StrictBool | None = None
    tags: TagNames | None = None


class PostPublic(Schema):
    id: int
    title: str
    body: str
    published: bool
    created_at: UtcDatetime
    author: UserSummary
    tags: list[TagPublic]
