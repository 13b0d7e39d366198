"""Dependencies shared by the routes: the request's session, the caller, the resource a path names, hashed passwords.

`CurrentUser` is the user the request's access token names (401 otherwise); `OwnPostDep`
and `OwnUserDep` are the path's post or user if the caller may change it (403 otherwise).
`SIGNED_IN` is `CurrentUser` for a route that does not use the user (tag writes);
`TOKEN_REQUIRED` checks the token alone, before anything slow: a route that hashes a
password lists it first. `UserDep`, `PostDep` and `TagDep` load the item of the path's id or answer 404,
so a handler receives the item itself. Each takes its connection when it queries.

`NewUserDep` and `UserChangesDep` parse a user's body and hash its password. A handler
declares them first: FastAPI resolves dependencies in order, so the slow hash is done
before the request takes its session, and a burst of sign-ups holds no database connection.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.security import OAuth2PasswordBearer

from app.api.params import ResourceId
from app.core.db import DbSession, get_session
from app.core.errors import ForbiddenError, NotAuthenticatedError, NotFoundError
from app.core.rate_limit import get_rate_limiter
from app.core.security import hash_password
from app.core.tokens import AccessClaims, InvalidTokenError, decode_access_token
from app.crud import auth as auth_crud
from app.crud import posts as posts_crud
from app.crud import tags as tags_crud
from app.crud import users as users_crud
from app.models.posts import Post
from app.models.tags import Tag
from app.models.users import User
from app.schemas.common import NUL_FREE, USERNAME_MAX_LENGTH
from app.schemas.users import UserCreate, UserUpdate

SessionDep = Annotated[DbSession, Depends(get_session)]

# Declares the OAuth2 password flow in the OpenAPI document (Swagger's Authorize logs in at
# tokenUrl). No automatic error: a missing token gets the same 401 body as a refused one.
bearer_token = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def access_claims(request: Request, token: Annotated[str | None, Depends(bearer_token)]) -> AccessClaims:
    """The claims of the request's access token, checked without touching the database."""
    if token is None:
        raise NotAuthenticatedError
    try:
        return decode_access_token(token, request.app.state.settings.secret_key)
    except InvalidTokenError:
        raise NotAuthenticatedError from None


# The claims come first: a request without a valid token is refused before it takes a session.
async def get_current_user(claims: Annotated[AccessClaims, Depends(access_claims)], session: SessionDep) -> User:
    """The active user the token names, unless their login was revoked since (logout, a reused refresh token)."""
    user = await auth_crud.get_signed_in_user(session, int(claims.subject), claims.family)
    if user is None:
        raise NotAuthenticatedError
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
TOKEN_REQUIRED = Depends(access_claims)
SIGNED_IN = Depends(get_current_user)


async def get_user_or_404(session: SessionDep, user_id: ResourceId) -> User:
    user = await users_crud.get_user(session, user_id)
    if user is None:
        raise NotFoundError("User", user_id)
    return user


async def get_post_or_404(session: SessionDep, post_id: ResourceId) -> Post:
    post = await posts_crud.get_post(session, post_id)
    if post is None:
        raise NotFoundError("Post", post_id)
    return post


async def get_tag_or_404(session: SessionDep, tag_id: ResourceId) -> Tag:
    tag = await tags_crud.get_tag(session, tag_id)
    if tag is None:
        raise NotFoundError("Tag", tag_id)
    return tag


UserDep = Annotated[User, Depends(get_user_or_404)]
PostDep = Annotated[Post, Depends(get_post_or_404)]
TagDep = Annotated[Tag, Depends(get_tag_or_404)]


# The caller is checked before the item is loaded: without a valid token the answer is 401, not 404.
async def own_post(caller: CurrentUser, post: PostDep) -> Post:
    if post.author_id != caller.id:
        raise ForbiddenError("Only the author of a post may change or delete it")
    return post


async def own_account(caller: CurrentUser, user: UserDep) -> User:
    if user.id != caller.id:
        raise ForbiddenError("Users may change, deactivate or delete only their own account")
    return user


OwnPostDep = Annotated[Post, Depends(own_post)]
OwnUserDep = Annotated[User, Depends(own_account)]


@dataclass(frozen=True)
class NewUser:
    data: UserCreate
    hashed_password: str


@dataclass(frozen=True)
class UserChanges:
    data: UserUpdate
    hashed_password: str | None  # None when the password is not changed


async def hash_new_user(request: Request, data: UserCreate) -> NewUser:
    """The sign-up, counted against RATE_LIMIT_SIGNUP per account too (before the slow hash), so that
    no username or email can be probed or claimed from many addresses faster than that."""
    limiter = get_rate_limiter(request)
    await limiter.hit_account("signup", data.username)
    await limiter.hit_account("signup", data.email)
    return NewUser(data, await hash_password(data.password))


async def hash_user_changes(data: UserUpdate) -> UserChanges:
    return UserChanges(data, None if data.password is None else await hash_password(data.password))


NewUserDep = Annotated[NewUser, Depends(hash_new_user)]
UserChangesDep = Annotated[UserChanges, Depends(hash_user_changes)]


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


async def login_credentials(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=USERNAME_MAX_LENGTH, pattern=NUL_FREE)],
    password: Annotated[str, Form(min_length=1, max_length=128, pattern=NUL_FREE)],
) -> Credentials:
    """The login form, counted against RATE_LIMIT_LOGIN per client and per account before any check."""
    limiter = get_rate_limiter(request)
    await limiter.hit("login", f"client:{limiter.client_address(request)}")
    await limiter.hit_account("login", username)
    return Credentials(username, password)


CredentialsDep = Annotated[Credentials, Depends(login_credentials)]
