"""Error bodies and the OpenAPI declarations of every non-2xx answer the routes can give."""

from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    detail: str


class ConflictBody(ErrorBody):
    field: str


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such resource"}}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ConflictBody, "description": "A unique field is already taken"},
}
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorBody,
        "description": "The database is unreachable; retry after `Retry-After` seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
    },
}
