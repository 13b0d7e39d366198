"""Where the tests' services live: TEST_DATABASE_URL, never the development database."""

import os

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


def settings_for_tests(**overrides: object) -> Settings:
    """Settings for an application under test; `overrides` replace single fields."""
    values: dict[str, object] = {
        "database_url": TEST_DATABASE_URL,
        "redis_url": TEST_REDIS_URL,
        "cache_key_prefix": TEST_CACHE_KEY_PREFIX,
        "environment": "test",
        **overrides,
    }
    return Settings.model_validate(values)
