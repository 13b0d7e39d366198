"""Where the tests' services live: TEST_DATABASE_URL, never the development database."""

import os
import tempfile

from app.core.config import Settings

# A throwaway SQLite file unless TEST_DATABASE_URL names another database.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/test.db"
# A file in a directory that does not exist: every connection attempt fails.
UNREACHABLE_DATABASE_URL = "sqlite+aiosqlite:////nonexistent/directory/app.db"


def settings_for_tests(**overrides: object) -> Settings:
    """Settings for an application under test; `overrides` replace single fields."""
    values: dict[str, object] = {"database_url": TEST_DATABASE_URL, "environment": "test", **overrides}
    return Settings.model_validate(values)
