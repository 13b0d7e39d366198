"""The route class of the resources' routers: dependencies that only writes run.

The write limit and, with a cache, the invalidation of what a write changes apply to every
write of a router, so they are given to the router once, but reads need neither: as router
`dependencies` each read would solve them only to find they do nothing.
"""

from collections.abc import Callable
from typing import Any

from fastapi import params
from fastapi.routing import APIRoute

from app.api.json_body import JsonRoute

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def with_write_dependencies(*dependencies: params.Depends) -> type[APIRoute]:
    """JsonRoute, its writes (any method but GET, HEAD and OPTIONS) depending on `dependencies` first."""

    class WriteDependentRoute(JsonRoute):
        def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
            if not READS.issuperset(kwargs.get("methods") or ("GET",)):
                listed = list(kwargs.get("dependencies") or ())
                # Listed already when a route is built again for the app that includes its router.
                kwargs["dependencies"] = [*(each for each in dependencies if each not in listed), *listed]
            super().__init__(path, endpoint, **kwargs)

    return WriteDependentRoute
