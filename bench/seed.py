"""A realistic, reproducible dataset, written straight into the tables with COPY.

The tables are the ones every generated service migrates to (users, profiles, posts,
tags, post_tags); every column is given explicitly, so the ORM's Python-side defaults
play no part and the same rows land whatever the stack.
"""

import random
from datetime import UTC, datetime, timedelta

import psycopg

WORDS = (  # noqa: SIM905 - a sentence reads better than 40 quoted words
    "async database query session engine pool index table column schema migration request response "
    "latency throughput cache commit rollback transaction driver cursor python service endpoint model "
    "validation serialise benchmark profile author tag post list page offset limit count join load"
).split()
# Not a usable hash; nothing in the benchmark logs in.
FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$YmVuY2htYXJr$YmVuY2htYXJrYmVuY2htYXJrYmVuY2htYXJr"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high))).capitalize()


def _copy(cursor: psycopg.Cursor, table: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(conninfo: str, *, users: int = 1_000, posts: int = 10_000, tags: int = 200, seed: int = 42) -> None:
    """Fill empty tables: ids run from 1, each post has 0-3 distinct tags."""
    rng = random.Random(seed)
    user_rows = [
        (i, f"user{i:05d}", f"user{i:05d}@example.com", FAKE_HASH, True, EPOCH + timedelta(minutes=i))
        for i in range(1, users + 1)
    ]
    profile_rows = [(i, i, _sentence(rng, 5, 20), f"https://example.com/avatars/{i}.png") for i in range(1, users + 1)]
    tag_rows = [(i, f"tag-{i:04d}") for i in range(1, tags + 1)]
    post_rows = []
    link_rows = []
    for i in range(1, posts + 1):
        body = " ".join(_sentence(rng, 8, 20) + "." for _ in range(rng.randint(2, 8)))
        created = EPOCH + timedelta(seconds=37 * i)
        post_rows.append((i, rng.randint(1, users), _sentence(rng, 3, 10), body, rng.random() < 0.8, created))
        link_rows += [(i, tag_id) for tag_id in rng.sample(range(1, tags + 1), rng.randint(0, 3))]

    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        _copy(cursor, "users", ("id", "username", "email", "hashed_password", "is_active", "created_at"), user_rows)
        _copy(cursor, "profiles", ("id", "user_id", "bio", "avatar_url"), profile_rows)
        _copy(cursor, "tags", ("id", "name"), tag_rows)
        _copy(cursor, "posts", ("id", "author_id", "title", "body", "published", "created_at"), post_rows)
        _copy(cursor, "post_tags", ("post_id", "tag_id"), link_rows)
        # Explicit ids leave the sequences at 1: move them past the rows, so inserts work.
        for table in ("users", "profiles", "tags", "posts"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("ANALYZE")


def drop_created_tags(conninfo: str, *, tags: int = 200) -> None:
    """Remove the tags a create run added, so every round reads the same dataset with the same plans."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("DELETE FROM tags WHERE id > %s", (tags,))
        connection.execute("VACUUM ANALYZE tags")
