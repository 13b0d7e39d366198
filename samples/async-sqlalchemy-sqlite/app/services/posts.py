"""The writes of posts (with the tags they name)."""

from app.core.db import DbSession, transaction
from app.crud import posts as posts_crud
from app.models.posts import Post
from app.models.users import User
from app.schemas.posts import PostCreate, PostUpdate


async def create_post(session: DbSession, data: PostCreate, author: User) -> Post:
    async with transaction(session) as connection:
        return await posts_crud.create_post(connection, data, author)


async def update_post(session: DbSession, post: Post, data: PostUpdate) -> Post:
    async with transaction(session) as connection:
        return await posts_crud.update_post(connection, post, data)


async def delete_post(session: DbSession, post: Post) -> None:
    async with transaction(session) as connection:
        await posts_crud.delete_post(connection, post)
