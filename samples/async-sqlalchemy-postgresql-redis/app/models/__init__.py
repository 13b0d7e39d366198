"""The tables, one module per resource; `common` holds the declarative base they share.

Importing this package imports every table's module, so the whole schema is known
wherever it is needed (Alembic compares `Base.metadata` with the database). A new
resource adds a line per model here (`X as X` marks a re-export, which ruff and mypy
accept unused); callers import a model from its resource's module.
"""

from app.models.auth import RefreshToken as RefreshToken
from app.models.posts import Post as Post
from app.models.tags import Tag as Tag
from app.models.users import Profile as Profile
from app.models.users import User as User
