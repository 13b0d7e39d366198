"""What the API accepts and returns for logins and tokens (the same for every ORM: no table behind them)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenPair(BaseModel):
    """OAuth2's token response (RFC 6749, section 5.1), with the refresh token to rotate."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a scheme's name, not a secret)
    expires_in: int = Field(description="Seconds the access token stays valid")
    refresh_token: str


class RefreshTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Issued tokens are 43 characters; the bound keeps hostile input small.
    refresh_token: str = Field(min_length=1, max_length=200)
