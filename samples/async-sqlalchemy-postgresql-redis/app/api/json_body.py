"""JSON bodies that are not UTF-8 get the same documented 422 as any other malformed JSON.

FastAPI turns a `json.JSONDecodeError` into a 422 `json_invalid`, but `json.loads` raises
`UnicodeDecodeError` for bytes that are not UTF-8, which FastAPI answers with an undocumented
400 "There was an error parsing the body". The request class below reports those bytes as the
JSON decoding error they are, so every malformed body is a 422 matching `HTTPValidationError`.
"""

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


class Utf8JsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = json.loads(body)
            except UnicodeDecodeError as exc:
                text = body.decode("utf-8", errors="replace")
                raise json.JSONDecodeError(f"Invalid UTF-8: {exc.reason}", text, exc.start) from exc
        return self._json


class JsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:  # nothing to decode: no wrapper to pay for on every read
            return handler

        async def route_handler(request: Request) -> Response:
            return await handler(Utf8JsonRequest(request.scope, request.receive))

        return route_handler
