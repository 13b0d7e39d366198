"""GET /metrics: Prometheus' scrape endpoint, left out of the OpenAPI schema (it is for machines).

With METRICS_TOKEN set it answers only scrapes that send `Authorization: Bearer <token>`.
"""

import secrets

from fastapi import APIRouter, Request, Response, status

from app.core import metrics
from app.core.pool_metrics import observe_pool

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def scrape(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if token is not None and not authorized(request.headers.get("authorization", ""), token.get_secret_value()):
        return Response(status_code=status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    observe_pool(request.app.state)
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


def authorized(header: str, token: str) -> bool:
    """Whether `header` is `Bearer <token>`, compared in constant time (no timing hints at the token)."""
    scheme, _, credentials = header.partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(credentials.encode(), token.encode())
