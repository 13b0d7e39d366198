"""What the API accepts and returns for tags."""

from app.schemas.common import Schema, TagName


class TagCreate(Schema):
    name: TagName


class TagUpdate(Schema):
    name: TagName


class TagPublic(Schema):
    id: int
    name: str
