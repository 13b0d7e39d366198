"""The writes of tags."""

from app.core.db import DbSession, transaction
from app.crud import tags as tags_crud
from app.models.tags import Tag
from app.schemas.tags import TagCreate, TagUpdate


async def create_tag(session: DbSession, data: TagCreate) -> Tag:
    async with transaction(session) as connection:
        return await tags_crud.create_tag(connection, data)


async def update_tag(session: DbSession, tag: Tag, data: TagUpdate) -> Tag:
    async with transaction(session) as connection:
        return await tags_crud.update_tag(connection, tag, data)


async def delete_tag(session: DbSession, tag: Tag) -> None:
    async with transaction(session) as connection:
        await tags_crud.delete_tag(connection, tag)
