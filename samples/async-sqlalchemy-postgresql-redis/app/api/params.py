"""Bounded path and query parameters shared by the routes."""

from typing import Annotated

from fastapi import Path, Query

from app.schemas.common import MAX_ID, NUL_FREE

ResourceId = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (at most 100)")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
Search = Annotated[
    str | None, Query(min_length=1, max_length=100, pattern=NUL_FREE, description="Case-insensitive substring")
]
