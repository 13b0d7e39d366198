"""A 405 lists every method the path supports in `Allow`, as HTTP requires.

Starlette stops at the first route whose path matches and answers with that route's methods
only, although FastAPI registers one route per method (`GET /users` and `POST /users`).
"""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route


def register_method_not_allowed(app: FastAPI) -> None:
    async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, HTTPException):  # Starlette types the handler for any Exception; 405s are these
            raise exc
        allowed: set[str] = set()
        for route in app.routes:
            if isinstance(route, Route) and route.methods:
                match, _ = route.matches({**request.scope, "method": next(iter(route.methods))})
                if match is Match.FULL:
                    allowed |= route.methods
        return JSONResponse({"detail": exc.detail}, status_code=405, headers={"Allow": ", ".join(sorted(allowed))})

    app.add_exception_handler(405, method_not_allowed)
