"""Users and their profiles: a user has one profile and many posts.

Every relationship is `lazy="raise"`: a query states what it loads (see `app.crud`),
so an accidental lazy load fails loudly instead of quietly adding queries.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.common import Base, utc_now

if TYPE_CHECKING:
    from app.models.posts import Post


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    # passive_deletes: the database's ON DELETE CASCADE removes dependants without loading them.
    profile: Mapped["Profile"] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )
    posts: Mapped[list["Post"]] = relationship(back_populates="author", lazy="raise", passive_deletes=True)


class Profile(Base):
    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    bio: Mapped[str] = mapped_column(String(500), default="")
    avatar_url: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(back_populates="profile", lazy="raise")
