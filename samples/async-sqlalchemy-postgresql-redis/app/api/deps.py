"""Dependencies shared by the routes."""

from typing import Annotated

from fastapi import Depends

from app.core.cache import Cache, get_cache
from app.core.db import DbSession, get_session

SessionDep = Annotated[DbSession, Depends(get_session)]
CacheDep = Annotated[Cache, Depends(get_cache)]
