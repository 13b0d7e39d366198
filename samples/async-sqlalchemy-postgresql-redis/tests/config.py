"""Where the tests' services live: TEST_DATABASE_URL, never the development database."""

import os
import secrets

from app.core.config import Settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://app:app@127.0.0.1:5432/app_test")
# Port 1 on loopback: connections are refused at once.
UNREACHABLE_DATABASE_URL = "postgresql+asyncpg://app:app@127.0.0.1:1/app"

# A Redis the tests may write to. They touch only keys under a prefix of their own,
# unique to this run, so runs (and other services) sharing the server never collide.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TEST_CACHE_KEY_PREFIX = f"sample-service-test-{os.urandom(6).hex()}"
# Port 1 on loopback: connections are refused at once.
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


# A key of the tests' own, the same in every app they create, so tokens one app issues another accepts.
TEST_SECRET_KEY = secrets.token_urlsafe(32)
# Limits no test reaches by accident; tests/test_rate_limit.py sets small ones where it means to.
UNREACHED_LIMIT = "100000/second"


def settings_for_tests(**overrides: object) -> Settings:
    """Settings for an application under test; `overrides` replace single fields."""
    values: dict[str, object] = {
        "database_url": TEST_DATABASE_URL,
        "redis_url": TEST_REDIS_URL,
        "cache_key_prefix": TEST_CACHE_KEY_PREFIX,
        "environment": "test",
        "secret_key": TEST_SECRET_KEY,
        "rate_limit_writes": UNREACHED_LIMIT,
        "rate_limit_signup": UNREACHED_LIMIT,
        "rate_limit_login": UNREACHED_LIMIT,
        **overrides,
    }
    return Settings.model_validate(values)
