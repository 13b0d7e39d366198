"""What the data access of every resource shares: conflicts, counting, search patterns.

Its names start with an underscore: they serve the `app.crud` modules, not the layers above.

Data access (`app.crud.<resource>`) holds every query and write of the service; none of
them commits. Writes flush, so a unique or foreign-key violation surfaces there, where it
is known which field it concerns; `app.services` commits a request's writes together (see
`app.core.db.transaction`). Reads state what they load: a join for many-to-one, one extra
query per collection.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import ConflictError


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
