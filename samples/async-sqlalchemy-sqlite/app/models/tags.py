"""Tags, which posts share (the link table is the posts' `post_tags`)."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.common import Base


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
