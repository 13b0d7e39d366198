"""Data access: every query and write of the service; none of them commits.

Writes flush, so a unique or foreign-key violation surfaces here, where it is known
which field it concerns; `app.services` commits a request's writes together (see
`app.core.db.transaction`). Reads state what they load: a join for many-to-one,
one extra query per collection.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import ConflictError, NotFoundError
from app.models import Post, Profile, Tag, User
from app.schemas import PostCreate, PostUpdate, TagCreate, TagUpdate, UserCreate, UserUpdate

# --- helpers ------------------------------------------------------------------


def _contains(pattern: str) -> str:
    """A LIKE pattern matching `pattern` literally anywhere (escape character "/")."""
    escaped = pattern.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _unique_violation(error: IntegrityError, table: str, fields: Sequence[str]) -> str | None:
    """The field whose unique constraint `error` reports, if any.

    Constraint names follow `uq_<table>_<column>` (PostgreSQL and MySQL quote them);
    SQLite reports `<table>.<column>`. Either way no driver text reaches the client.
    """
    message = str(error.orig)
    return next((f for f in fields if f"{table}_{f}" in message or f"{table}.{f}" in message), None)


async def _flush(session: AsyncSession, resource: str, table: str, unique_fields: Sequence[str]) -> None:
    """Send the pending writes; a unique violation becomes a ConflictError naming the field."""
    try:
        await session.flush()
    except IntegrityError as error:
        field = _unique_violation(error, table, unique_fields)
        if field is None:
            raise
        raise ConflictError(resource, field) from None


async def _count(session: AsyncSession, model: type[Any], conditions: Sequence[ColumnElement[bool]]) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


# --- users --------------------------------------------------------------------

USER_UNIQUE_FIELDS = ("username", "email")


async def create_user(session: AsyncSession, data: UserCreate, hashed_password: str) -> User:
    """Add a user and its profile."""
    user = User(
        username=data.username,
        email=data.email,
        hashed_password=hashed_password,
        profile=Profile(bio=data.profile.bio, avatar_url=data.profile.avatar_url),
    )
    session.add(user)
    await _flush(session, "user", "users", USER_UNIQUE_FIELDS)
    return user


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.scalar(select(User).options(joinedload(User.profile)).where(User.id == user_id))


async def list_users(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    search: str | None = None,
) -> tuple[Sequence[User], int]:
    conditions: list[ColumnElement[bool]] = []
    if search:
        pattern = _contains(search)
        conditions.append(User.username.ilike(pattern, escape="/") | User.email.ilike(pattern, escape="/"))
    query = select(User).options(joinedload(User.profile)).where(*conditions).order_by(User.id)
    users = list(await session.scalars(query.limit(limit).offset(offset)))
    return users, await _count(session, User, conditions)


async def update_user(
    session: AsyncSession,
    user: User,
    data: UserUpdate,
    hashed_password: str | None = None,
) -> User:
    """Apply the fields present in `data` (the password as `hashed_password`); `user` comes from `get_user`."""
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True, exclude={"password", "profile"}).items():
        setattr(user, field, value)
    if hashed_password is not None:
        user.hashed_password = hashed_password
    if data.profile is not None:
        for field, value in data.profile.model_dump(exclude_unset=True).items():
            setattr(user.profile, field, value)
    await _flush(session, "user", "users", USER_UNIQUE_FIELDS)
    return user


async def delete_user(session: AsyncSession, user: User) -> None:
    """Delete a user; the database cascades to the profile, the posts and their tag links."""
    await session.delete(user)
    await session.flush()


# --- tags ---------------------------------------------------------------------


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


async def _tags_named(session: AsyncSession, names: Sequence[str]) -> list[Tag]:
    """The tags called `names`, in that order; the missing ones are added to the session."""
    if not names:
        return []
    existing = await session.scalars(select(Tag).where(Tag.name.in_(names)))
    by_name = {tag.name: tag for tag in existing}
    return [by_name.get(name) or Tag(name=name) for name in names]


# --- posts --------------------------------------------------------------------


# Built once: a reused statement keeps its cache key, so SQLAlchemy finds its compiled
# SQL without walking the statement again on every request.
_POST_WITH_AUTHOR = select(Post).options(joinedload(Post.author))
# One post's few tags come joined in the same query: one round trip instead of two.
_POST_BY_ID = _POST_WITH_AUTHOR.options(joinedload(Post.tags)).where(Post.id == bindparam("post_id"))
# A page of posts loads its tags with one extra query (a join would repeat each post per tag).
_POSTS = _POST_WITH_AUTHOR.options(selectinload(Post.tags))


async def create_post(session: AsyncSession, data: PostCreate) -> Post:
    """Add a post and any of its tags that do not exist yet."""
    post = Post(title=data.title, body=data.body, published=data.published, author_id=data.author_id)
    post.tags = await _tags_named(session, data.tags)
    session.add(post)
    try:
        await session.flush()
    except IntegrityError as error:
        # The new tags may have been written before the post failed: the transaction is
        # never committed, so they go with it.
        if _unique_violation(error, "tags", ("name",)):
            raise ConflictError("tag", "name") from None
        raise NotFoundError("User", data.author_id) from None
    post.author = await session.get_one(User, data.author_id)
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
