from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from app.api.caching import CacheDep
from app.api.deps import SessionDep
from app.core.db import UNAVAILABLE_ERRORS, ping
from app.core.metrics import UNAVAILABLE

router = APIRouter(prefix="/health", tags=["health"])

State = Literal["ok", "unavailable"]
# "draining": the service is stopping (app/core/shutdown.py) and takes no new traffic.
ReadyState = Literal["ok", "unavailable", "draining"]


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: ReadyState
    database: State
    cache: State


@router.get("/live")
async def live() -> Liveness:
    """The process is up; checks nothing else, so an orchestrator never restarts it for a database outage."""
    return Liveness()


async def _database_state(session: SessionDep) -> State:
    try:
        await ping(session)
    except UNAVAILABLE_ERRORS:
        return "unavailable"
    return "ok"


@router.get(
    "/ready",
    responses={503: {"model": Readiness, "description": "A dependency is unreachable, or the service is stopping"}},
)
async def ready(session: SessionDep, cache: CacheDep, request: Request, response: Response) -> Readiness:
    """Ready to serve: the database answers and the service is not stopping.

    The cache is reported but not required: without Redis every read is served
    from the database, so a cache outage degrades the service (still 200) rather
    than taking it out of the load balancer.
    """
    database = await _database_state(session)
    readiness: ReadyState = "draining" if request.app.state.drain.draining else database
    if readiness != "ok":
        UNAVAILABLE.labels("draining" if readiness == "draining" else "database").inc()
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response.headers["Retry-After"] = str(request.app.state.settings.retry_after_seconds)
    cache_state: State = "ok" if await cache.ping() else "unavailable"
    return Readiness(status=readiness, database=database, cache=cache_state)
