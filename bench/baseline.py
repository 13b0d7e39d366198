"""The yardstick: the benchmark's three operations in raw Starlette + asyncpg.

It answers with the same JSON as a generated service (checked by the harness before
each run) and does the same database work: the post joined to its author, one query
for the tags of the posts on the page, a count for the list, one INSERT for a tag.
What it leaves out is everything an ORM and FastAPI add on top, so the ratio
generated / baseline is the price of that layer on this machine.

    BENCH_DATABASE_URL=postgresql://app:app@127.0.0.1:55432/db uvicorn bench.baseline:app
"""

import os
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

MAX_ID = 2_147_483_647
TAG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]*$")

POST_COLUMNS = "p.id, p.title, p.body, p.published, p.created_at, u.id AS author_id, u.username"
GET_POST = f"SELECT {POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = $1"
LIST_POSTS = f"SELECT {POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.id LIMIT $1 OFFSET $2"
COUNT_POSTS = "SELECT count(*) FROM posts"
TAGS_OF = "SELECT pt.post_id, t.id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = ANY($1)"
INSERT_TAG = "INSERT INTO tags (name) VALUES ($1) RETURNING id"


def _timestamp(value: datetime) -> str:
    # asyncpg returns timestamptz in UTC; Pydantic writes UTC as "Z".
    return value.isoformat().replace("+00:00", "Z")


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


async def _posts_json(connection: asyncpg.Connection, rows: Iterable[asyncpg.Record]) -> list[dict[str, Any]]:
    posts = {
        row["id"]: {
            "id": row["id"],
            "title": row["title"],
            "body": row["body"],
            "published": row["published"],
            "created_at": _timestamp(row["created_at"]),
            "author": {"id": row["author_id"], "username": row["username"]},
            "tags": [],
        }
        for row in rows
    }
    if posts:
        for post_id, tag_id, name in await connection.fetch(TAGS_OF, list(posts)):
            posts[post_id]["tags"].append({"id": tag_id, "name": name})
    return list(posts.values())


async def get_post(request: Request) -> JSONResponse:
    post_id = request.path_params["post_id"]
    if not 1 <= post_id <= MAX_ID:
        return _error(422, "post_id out of range")
    async with request.app.state.pool.acquire() as connection:
        row = await connection.fetchrow(GET_POST, post_id)
        if row is None:
            return _error(404, f"Post {post_id} not found")
        (post,) = await _posts_json(connection, [row])
    return JSONResponse(post)


async def list_posts(request: Request) -> JSONResponse:
    try:
        limit = int(request.query_params.get("limit", 20))
        offset = int(request.query_params.get("offset", 0))
    except ValueError:
        return _error(422, "limit and offset must be integers")
    if not (1 <= limit <= 100 and 0 <= offset <= MAX_ID):
        return _error(422, "limit or offset out of range")
    async with request.app.state.pool.acquire() as connection:
        items = await _posts_json(connection, await connection.fetch(LIST_POSTS, limit, offset))
        total = await connection.fetchval(COUNT_POSTS)
    return JSONResponse({"items": items, "total": total, "limit": limit, "offset": offset})


async def create_tag(request: Request) -> JSONResponse:
    try:
        body = await request.json()
        name = body["name"].strip().lower()
    except (ValueError, TypeError, KeyError, AttributeError):
        return _error(422, "body must be {'name': str}")
    if not (1 <= len(name) <= 50 and TAG_NAME.match(name)):
        return _error(422, "invalid tag name")
    try:
        tag_id = await request.app.state.pool.fetchval(INSERT_TAG, name)
    except asyncpg.UniqueViolationError:
        return _error(409, "A tag with this name already exists")
    return JSONResponse({"id": tag_id, "name": name}, status_code=201)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Up to 30 connections: never fewer than the generated services have (20 by default).
    async with asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=10, max_size=30) as pool:
        app.state.pool = pool
        yield


app = Starlette(
    routes=[
        Route("/posts/{post_id:int}", get_post),
        Route("/posts", list_posts),
        Route("/tags", create_tag, methods=["POST"]),
    ],
    lifespan=lifespan,
)
