"""Data access for posts and the tags they name (see `app.crud.common` for the rules)."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import ConflictError, NotAuthenticatedError
from app.crud.common import _contains, _count, _flush, _unique_violation
from app.models.posts import Post
from app.models.tags import Tag
from app.models.users import User
from app.schemas.posts import PostCreate, PostUpdate


async def _tags_named(session: AsyncSession, names: Sequence[str]) -> list[Tag]:
    """The tags called `names`, in that order; the missing ones are added to the session."""
    if not names:
        return []
    existing = await session.scalars(select(Tag).where(Tag.name.in_(names)))
    by_name = {tag.name: tag for tag in existing}
    return [by_name.get(name) or Tag(name=name) for name in names]


# Built once: a reused statement keeps its cache key, so SQLAlchemy finds its compiled
# SQL without walking the statement again on every request.
_POST_WITH_AUTHOR = select(Post).options(joinedload(Post.author))
# One post's few tags come joined in the same query: one round trip instead of two.
_POST_BY_ID = _POST_WITH_AUTHOR.options(joinedload(Post.tags)).where(Post.id == bindparam("post_id"))
# A page of posts loads its tags with one extra query (a join would repeat each post per tag).
_POSTS = _POST_WITH_AUTHOR.options(selectinload(Post.tags))


async def create_post(session: AsyncSession, data: PostCreate, author: User) -> Post:
    """Add a post by `author` and any of its tags that do not exist yet."""
    post = Post(title=data.title, body=data.body, published=data.published, author_id=author.id)
    post.tags = await _tags_named(session, data.tags)
    session.add(post)
    try:
        await session.flush()
    except IntegrityError as error:
        # The new tags may have been written before the post failed: the transaction is
        # never committed, so they go with it.
        if _unique_violation(error, "tags", ("name",)):
            raise ConflictError("tag", "name") from None
        # The author's account was deleted since their token was checked.
        raise NotAuthenticatedError from None
    post.author = author
    return post


async def reassign_posts(session: AsyncSession, from_user: User, to_user: User) -> None:
    """Make `to_user` the author of every post of `from_user`, in one statement."""
    await session.execute(update(Post).where(Post.author_id == from_user.id).values(author_id=to_user.id))


async def get_post(session: AsyncSession, post_id: int) -> Post | None:
    result = await session.scalars(_POST_BY_ID, {"post_id": post_id})
    return result.unique().one_or_none()


async def list_posts(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    search: str | None = None,
    author_id: int | None = None,
    tag: str | None = None,
    published: bool | None = None,
) -> tuple[Sequence[Post], int]:
    conditions: list[ColumnElement[bool]] = []
    if search:
        conditions.append(Post.title.ilike(_contains(search), escape="/"))
    if author_id is not None:
        conditions.append(Post.author_id == author_id)
    if tag is not None:
        conditions.append(Post.tags.any(Tag.name == tag.lower()))
    if published is not None:
        conditions.append(Post.published == published)
    query = _POSTS.where(*conditions).order_by(Post.id)
    posts = list(await session.scalars(query.limit(limit).offset(offset)))
    return posts, await _count(session, Post, conditions)


async def update_post(session: AsyncSession, post: Post, data: PostUpdate) -> Post:
    """Apply the fields present in `data`; `tags`, when given, replaces the post's tags."""
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True, exclude={"tags"}).items():
        setattr(post, field, value)
    if data.tags is not None:
        post.tags = await _tags_named(session, data.tags)
    await _flush(session, "tag", "tags", ("name",))
    return post


async def delete_post(session: AsyncSession, post: Post) -> None:
    await session.delete(post)
    await session.flush()
