"""GET /metrics: Prometheus' scrape endpoint, left out of the OpenAPI schema (it is for machines)."""

from fastapi import APIRouter, Request, Response

from app.core import metrics
from app.core.pool_metrics import observe_pool

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def scrape(request: Request) -> Response:
    observe_pool(request.app.state)
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
