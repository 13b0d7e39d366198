"""Bounded path and query parameters shared by the routes."""

from typing import Annotated

from fastapi import Path, Query

# Ids are 32-bit integers on every engine: larger values get a 422, never an overflow.
MAX_ID = 2_147_483_647
# PostgreSQL cannot store NUL in text: every free-text input carries this pattern so such text is a
# documented 422 on every engine (and the OpenAPI pattern tells clients, and fuzzers, in advance).
NUL_FREE = r"^[^\x00]*$"

ResourceId = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (at most 100)")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
Search = Annotated[
    str | None, Query(min_length=1, max_length=100, pattern=NUL_FREE, description="Case-insensitive substring")
]
