"""What the API accepts and returns for users and their profiles."""

from pydantic import Field, StrictBool

from app.schemas.common import AuthorId, AvatarUrl, Bio, Email, Password, Schema, Username, UtcDatetime

# --- profiles -----------------------------------------------------------------


class ProfileIn(Schema):
    bio: Bio = ""
    avatar_url: AvatarUrl | None = None


class ProfilePublic(Schema):
    bio: str
    avatar_url: str | None


# --- users --------------------------------------------------------------------


class UserCreate(Schema):
    username: Username
    email: Email
    password: Password
    profile: ProfileIn = Field(default_factory=ProfileIn)


class UserUpdate(Schema):
    username: Username | None = None
    email: Email | None = None
    password: Password | None = None
    is_active: StrictBool | None = None
    profile: ProfileIn | None = None


class UserDeactivate(Schema):
    successor_id: AuthorId = Field(description="The user who becomes the author of the posts")


class UserSummary(Schema):
    id: int
    username: str


class UserPublic(Schema):
    id: int
    username: str
    email: str
    is_active: bool
    created_at: UtcDatetime
    profile: ProfilePublic
