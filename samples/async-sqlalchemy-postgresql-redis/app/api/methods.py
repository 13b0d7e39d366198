"""A 405 lists every method the path supports in `Allow`, as HTTP requires.

Starlette stops at the first route whose path matches and answers with that route's methods
only, although FastAPI registers one route per method (`GET /users` and `POST /users`).
As in OpenAPI, a concrete path comes before a template that also matches it: /users/me
supports what `/users/me` declares, not what `/users/{user_id}` does.
"""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route


def register_method_not_allowed(app: FastAPI) -> None:
    async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, HTTPException):  # Starlette types the handler for any Exception; 405s are these
            raise exc
        matching = [
            route
            for route in app.routes
            if isinstance(route, Route)
            and route.methods
            and route.include_in_schema
            and route.matches({**request.scope, "method": next(iter(route.methods))})[0] is Match.FULL
        ]
        concrete = [route for route in matching if not route.param_convertors]
        allowed = {method for route in concrete or matching for method in route.methods or ()}
        return JSONResponse({"detail": exc.detail}, status_code=405, headers={"Allow": ", ".join(sorted(allowed))})

    app.add_exception_handler(405, method_not_allowed)
