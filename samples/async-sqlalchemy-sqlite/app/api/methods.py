"""A 405 lists every method the path supports in `Allow`, as HTTP requires.

Starlette stops at the first route whose path matches and answers with that route's methods
only, although FastAPI registers one route per method (`GET /users` and `POST /users`). The
methods come from the OpenAPI document instead, read once: as there, a concrete path comes
before a template that also matches it, so /users/me supports what `/users/me` declares, not
what `/users/{user_id}` does. A path the document leaves out (such as /metrics) keeps the
methods Starlette named.
"""

import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

OPERATIONS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# A path parameter matches one segment, as in Starlette's routes.
PARAMETER = re.compile(r"\\\{[^/]*?\\\}")


class PathMethods:
    """The methods of each path of the OpenAPI document: (pattern, concrete, methods), in its order."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._paths: list[tuple[re.Pattern[str], bool, frozenset[str]]] | None = None

    def paths(self) -> list[tuple[re.Pattern[str], bool, frozenset[str]]]:
        if self._paths is None:  # after startup: every route is registered by the first 405
            self._paths = []
            for template, operations in self.app.openapi().get("paths", {}).items():
                methods = {method.upper() for method in operations if method in OPERATIONS}
                pattern = re.compile(PARAMETER.sub("[^/]+", re.escape(template)))
                self._paths.append((pattern, "{" not in template, frozenset(methods)))
        return self._paths

    def allowed(self, path: str) -> set[str]:
        matching = [(concrete, methods) for pattern, concrete, methods in self.paths() if pattern.fullmatch(path)]
        chosen = [methods for concrete, methods in matching if concrete] or [methods for _, methods in matching]
        return set().union(*chosen)


def register_method_not_allowed(app: FastAPI) -> None:
    path_methods = PathMethods(app)

    async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, HTTPException):  # Starlette types the handler for any Exception; 405s are these
            raise exc
        allowed = path_methods.allowed(request.url.path) or {
            method for method in (exc.headers or {}).get("Allow", "").split(", ") if method
        }
        return JSONResponse({"detail": exc.detail}, status_code=405, headers={"Allow": ", ".join(sorted(allowed))})

    app.add_exception_handler(405, method_not_allowed)
