"""What a team typically does to its service between two template updates.

A `Comment` model with its route, Alembic revision and test (new files, plus the
registration lines in the template-owned app/models/__init__.py and app/main.py), a
setting, and its own README text. Written for the async SQLAlchemy stack on any engine.
"""

from pathlib import Path

COMMENT_MODEL = """from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.common import Base


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(1000))
"""

NEW_FILES = {
    "app/models/comments.py": COMMENT_MODEL,
    "app/api/routes/comments.py": '''"""Comments on posts: the team's own feature, not the template's."""

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import SessionDep
from app.models.comments import Comment

router = APIRouter(prefix="/comments", tags=["comments"])


class CommentCreate(BaseModel):
    post_id: int
    body: str = Field(min_length=1, max_length=1000)


class CommentPublic(CommentCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_comment(session: SessionDep, data: CommentCreate) -> CommentPublic:
    comment = Comment(post_id=data.post_id, body=data.body)
    session.add(comment)
    await session.commit()
    return CommentPublic.model_validate(comment)
''',
    "migrations/versions/0003_comments.py": '''"""Comments on posts.

Revision ID: 0003
Revises: 0002_refresh_tokens
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002_refresh_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_comments_post_id_posts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index(op.f("ix_comments_post_id"), "comments", ["post_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_comments_post_id"), table_name="comments")
    op.drop_table("comments")
''',
    "tests/test_comments.py": """import httpx

from tests.helpers import create_post, create_user


async def test_create_comment(client: httpx.AsyncClient) -> None:
    author = await create_user(client)
    post = await create_post(client, author["id"])
    response = await client.post("/comments", json={"post_id": post["id"], "body": "First!"})
    assert response.status_code == 201, response.text
    assert response.json() == {"id": response.json()["id"], "post_id": post["id"], "body": "First!"}
""",
}

# (file, template text, the team's replacement): small edits inside template-owned files.
EDITS = [
    (
        "app/models/__init__.py",
        "from app.models.posts import Post as Post\n",
        "from app.models.comments import Comment as Comment\nfrom app.models.posts import Post as Post\n",
    ),
    ("app/main.py", "routes import auth, health, metrics", "routes import auth, comments, health, metrics"),
    ("app/main.py", "(health, auth, users, posts, tags)", "(health, auth, users, posts, tags, comments)"),
    ("app/core/config.py", "db_echo: bool = False\n", "db_echo: bool = False\n    comments_per_page: int = 50\n"),
    ("README.md", "A FastAPI service with a database.", "Orders and their comments, for the shop front."),
]


def apply(project: Path) -> None:
    for name, text in NEW_FILES.items():
        (project / name).write_text(text)
    for name, old, new in EDITS:
        path = project / name
        current = path.read_text()
        assert old in current, f"{name} no longer contains {old!r}: update tests/user_edits.py"
        path.write_text(current.replace(old, new, 1))


def missing(project: Path) -> list[str]:
    """The user edits that are no longer in `project`."""
    lost = [name for name, text in NEW_FILES.items() if (project / name).read_text() != text]
    lost += [f"{name}: {new!r}" for name, _, new in EDITS if new not in (project / name).read_text()]
    return lost
