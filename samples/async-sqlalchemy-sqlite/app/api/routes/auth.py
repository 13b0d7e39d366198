"""Logging in (OAuth2 password flow), rotating refresh tokens, logging out."""

from fastapi import APIRouter, Request, status

from app.api.deps import CredentialsDep, SessionDep
from app.api.responses import TOO_MANY_REQUESTS, UNAUTHORIZED, UNAVAILABLE
from app.api.routing import with_write_dependencies
from app.core.rate_limit import LIMIT_WRITES
from app.schemas.auth import RefreshTokenIn, TokenPair
from app.services import auth as auth_service

router = APIRouter(
    route_class=with_write_dependencies(LIMIT_WRITES), prefix="/auth", tags=["auth"], responses=UNAVAILABLE
)


# RATE_LIMIT_LOGIN counts per client and per account (CredentialsDep), before the password is checked.
@router.post("/token", responses=UNAUTHORIZED | TOO_MANY_REQUESTS)
async def log_in(request: Request, credentials: CredentialsDep, session: SessionDep) -> TokenPair:
    """Log in with a form's `username` and `password` (OAuth2 password flow, as Swagger's *Authorize* does).

    Returns a short-lived access token for `Authorization: Bearer` and a refresh token for
    `/auth/refresh`. 401, with the same body, for an unknown user, a wrong password or an inactive account.
    """
    settings = request.app.state.settings
    return await auth_service.log_in(session, credentials.username, credentials.password, settings)


@router.post("/refresh", responses=UNAUTHORIZED | TOO_MANY_REQUESTS)
async def refresh(request: Request, session: SessionDep, data: RefreshTokenIn) -> TokenPair:
    """Exchange a refresh token for new tokens; the one presented stops working (rotation).

    401 unless the token is current; presenting a token that was already rotated revokes
    every token of its login, as it suggests it was stolen.
    """
    return await auth_service.refresh(session, data.refresh_token, request.app.state.settings)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=TOO_MANY_REQUESTS)
async def log_out(session: SessionDep, data: RefreshTokenIn) -> None:
    """Revoke the login of a refresh token: its refresh tokens and access tokens stop working at once."""
    await auth_service.log_out(session, data.refresh_token)
