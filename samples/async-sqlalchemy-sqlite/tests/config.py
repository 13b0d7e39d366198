"""Where the tests' services live: TEST_DATABASE_URL, never the development database."""

import os
import secrets
import tempfile

from app.core.config import Settings

# A throwaway SQLite file unless TEST_DATABASE_URL names another database.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/test.db"
# A file in a directory that does not exist: every connection attempt fails.
UNREACHABLE_DATABASE_URL = "sqlite+aiosqlite:////nonexistent/directory/app.db"


# A key of the tests' own, the same in every app they create, so tokens one app issues another accepts.
TEST_SECRET_KEY = secrets.token_urlsafe(32)
# Limits no test reaches by accident; tests/test_rate_limit.py sets small ones where it means to.
UNREACHED_LIMIT = "100000/second"


def settings_for_tests(**overrides: object) -> Settings:
    """Settings for an application under test; `overrides` replace single fields."""
    values: dict[str, object] = {
        "database_url": TEST_DATABASE_URL,
        "environment": "test",
        "secret_key": TEST_SECRET_KEY,
        "rate_limit_writes": UNREACHED_LIMIT,
        "rate_limit_signup": UNREACHED_LIMIT,
        "rate_limit_login": UNREACHED_LIMIT,
        **overrides,
    }
    return Settings.model_validate(values)
