"""Map domain and database errors to clean JSON answers: no SQL, no driver text, no traces."""

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.api.responses import ConflictBody, ErrorBody
from app.core.db import UNAVAILABLE_ERRORS, is_unavailable
from app.core.errors import ConflictError, ForbiddenError, NotAuthenticatedError, NotFoundError
from app.core.metrics import UNAVAILABLE
from app.core.rate_limit import RateLimitedError

logger = logging.getLogger(__name__)

BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def register_exception_handlers(app: FastAPI, retry_after_seconds: int) -> None:
    # Starlette types a handler as taking any Exception: one that needs its error's own fields first
    # re-raises what it is not registered for (nothing else reaches it), and the type checker follows.
    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(ErrorBody(detail=str(exc)).model_dump(), status_code=404)

    async def conflict(_: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, ConflictError):
            raise exc
        body = ConflictBody(detail=str(exc), field=exc.field)
        return JSONResponse(body.model_dump(), status_code=409)

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        if not is_unavailable(exc):
            raise exc
        # The error's repr names the server and the driver's message, never DATABASE_URL's password;
        # SQL parameters are hidden (`hide_parameters`), as they may hold personal data.
        logger.warning("database unavailable during %s %s: %r", request.method, request.url.path, exc)
        UNAVAILABLE.labels("database").inc()
        body = ErrorBody(detail="The database is unavailable, please retry later")
        headers = {"Retry-After": str(retry_after_seconds)}
        return JSONResponse(body.model_dump(), status_code=503, headers=headers)

    async def rate_limited(_: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, RateLimitedError):
            raise exc
        return JSONResponse(ErrorBody(detail=str(exc)).model_dump(), status_code=429, headers=exc.headers())

    async def not_authenticated(_: Request, exc: Exception) -> JSONResponse:
        # RFC 6750: a 401 names the scheme the client should authenticate with.
        return JSONResponse(ErrorBody(detail=str(exc)).model_dump(), status_code=401, headers=BEARER_CHALLENGE)

    async def forbidden(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(ErrorBody(detail=str(exc)).model_dump(), status_code=403)

    async def invalid_request(_: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, RequestValidationError):
            raise exc
        # FastAPI's answer, without the value each error concerns: it may be a password or a
        # token, and the client has it already.
        errors = [{key: value for key, value in error.items() if key != "input"} for error in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(NotAuthenticatedError, not_authenticated)
    app.add_exception_handler(ForbiddenError, forbidden)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(RateLimitedError, rate_limited)
    app.add_exception_handler(ConflictError, conflict)
    for error_type in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_type, unavailable)
