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
_SECONDS: dict[str, Any] = {"schema": {"type": "integer"}}
TOO_MANY_REQUESTS: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorBody,
        "description": "Over a rate limit; retry after `Retry-After` seconds",
        "headers": {
            "Retry-After": {**_SECONDS, "description": "Seconds to wait"},
            "RateLimit-Limit": {**_SECONDS, "description": "Requests allowed per window"},
            "RateLimit-Remaining": {**_SECONDS, "description": "Requests left in this window"},
            "RateLimit-Reset": {**_SECONDS, "description": "Seconds until the window ends"},
        },
    },
}
UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {
        "model": ErrorBody,
        "description": "No valid credentials: a missing, expired, invalid or revoked token, or a refused login",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}},
    },
}
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "The resource belongs to another user"},
}
