"""Data access for tags (see `app.crud.common` for the rules)."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.crud.common import _contains, _count, _flush
from app.models.tags import Tag
from app.schemas.tags import TagCreate, TagUpdate


async def create_tag(session: AsyncSession, data: TagCreate) -> Tag:
    tag = Tag(name=data.name)
    session.add(tag)
    await _flush(session, "tag", "tags", ("name",))
    return tag


async def get_tag(session: AsyncSession, tag_id: int) -> Tag | None:
    return await session.get(Tag, tag_id)


async def list_tags(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    search: str | None = None,
) -> tuple[Sequence[Tag], int]:
    conditions = [Tag.name.ilike(_contains(search), escape="/")] if search else []
    query = select(Tag).where(*conditions).order_by(Tag.id)
    tags = list(await session.scalars(query.limit(limit).offset(offset)))
    return tags, await _count(session, Tag, conditions)


async def update_tag(session: AsyncSession, tag: Tag, data: TagUpdate) -> Tag:
    tag.name = data.name
    await _flush(session, "tag", "tags", ("name",))
    return tag


async def delete_tag(session: AsyncSession, tag: Tag) -> None:
    await session.delete(tag)
    await session.flush()
