"""Posts: each has one author (a user) and many tags, linked through `post_tags`.

Every relationship is `lazy="raise"`: a query states what it loads (see `app.crud`),
so an accidental lazy load fails loudly instead of quietly adding queries.
"""

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.common import Base, utc_now
from app.models.tags import Tag
from app.models.users import User

post_tags = Table(
    "post_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    author: Mapped[User] = relationship(back_populates="posts", lazy="raise")
    # Ordered, so every engine lists a post's tags alike (the oldest tag first).
    tags: Mapped[list["Tag"]] = relationship(secondary=post_tags, lazy="raise", passive_deletes=True, order_by="Tag.id")
