"""The stacks the template offers, read from copier.yml itself (never a hand-copied list).

A stack is one answer to each of the four stack questions. A combination that a
per-choice validator refuses (e.g. an async-only ORM with `concurrency: sync`) is
not a stack: it is collected with its message so the tests can check the refusal.
"""

import itertools
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from jinja2.sandbox import SandboxedEnvironment

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
STACK_QUESTIONS = ("concurrency", "orm", "database", "cache")


@dataclass(frozen=True)
class Stack:
    concurrency: str
    orm: str
    database: str
    cache: str

    @property
    def id(self) -> str:
        parts = [self.concurrency, self.orm, self.database]
        return "-".join(parts if self.cache == "none" else [*parts, self.cache])

    @property
    def answers(self) -> dict[str, str]:
        return {question: getattr(self, question) for question in STACK_QUESTIONS}

    @property
    def migration_tool(self) -> str:
        return "alembic" if self.orm in ("sqlalchemy", "sqlmodel") else self.orm


@cache
def copier_config() -> dict:
    return yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())


def _choices(question: str) -> list[tuple[str, str]]:
    """(value, validator template) for each choice of a question, in declaration order."""
    choices = copier_config()[question]["choices"]
    items = choices.values() if isinstance(choices, dict) else choices
    result = []
    for item in items:
        if isinstance(item, dict):
            result.append((str(item["value"]), item.get("validator", "")))
        else:
            result.append((str(item), ""))
    return result


@cache
def _combinations() -> tuple[tuple[Stack, ...], tuple[tuple[Stack, str], ...]]:
    env = SandboxedEnvironment()
    valid, refused = [], []
    per_question = [_choices(q) for q in STACK_QUESTIONS]
    for picked in itertools.product(*per_question):
        stack = Stack(*(value for value, _ in picked))
        messages = [env.from_string(v).render(stack.answers).strip() for _, v in picked if v]
        message = " ".join(m for m in messages if m)
        if message:
            refused.append((stack, message))
        else:
            valid.append(stack)
    return tuple(valid), tuple(refused)


def valid_stacks() -> tuple[Stack, ...]:
    return _combinations()[0]


def reliability_stack() -> Stack | None:
    """The stack named by RELIABILITY_STACK: the template's CI runs the fault and fuzz suites on each
    stack in that stack's own job, so every stack gets them; unset, each suite runs its subset."""
    name = os.environ.get("RELIABILITY_STACK")
    if not name:
        return None
    stacks = {stack.id: stack for stack in valid_stacks()}
    if name not in stacks:
        raise ValueError(f"RELIABILITY_STACK={name!r} is not a valid stack: {sorted(stacks)}")
    return stacks[name]


def refused_stacks() -> tuple[tuple[Stack, str], ...]:
    return _combinations()[1]


MIGRATION_FILES = {
    "alembic": {"alembic.ini", "migrations/env.py", "migrations/versions/0001_initial.py"},
    "tortoise": {"migrations/__init__.py", "migrations/0001_initial.py"},
}


def expected_files(stack: Stack) -> set[str]:
    """Files every project of this stack must contain (it may contain more)."""
    files = {
        ".copier-answers.yml",
        ".dockerignore",
        ".github/workflows/ci.yml",
        ".pre-commit-config.yaml",
        "Dockerfile",
        "compose.yaml",
        ".env.example",
        ".gitignore",
        "README.md",
        "pyproject.toml",
        "app/main.py",
        "app/core/config.py",
        "app/core/db.py",
        "app/core/security.py",
        "app/core/shutdown.py",
        "app/core/logging.py",
        "app/core/metrics.py",
        "app/core/request_log.py",
        "app/models.py",
        "app/schemas.py",
        "app/crud.py",
        "app/services.py",
        "app/api/deps.py",
        "app/api/errors.py",
        "app/api/routes/health.py",
        "app/api/routes/users.py",
        "app/api/routes/posts.py",
        "app/api/routes/tags.py",
        "app/api/routes/metrics.py",
        "tests/conftest.py",
        "tests/config.py",
        "tests/database.py",
        "tests/test_migrations.py",
        "tests/test_repository.py",
        "tests/test_shutdown.py",
        "tests/test_transactions.py",
        "tests/test_observability.py",
        "tests/test_tracing.py",
        "app/core/tracing.py",
        "deploy/observability/prometheus.yml",
        "deploy/observability/otel-collector.yaml",
    }
    files |= {f"deploy/kubernetes/{name}.yaml" for name in ("kustomization", "configmap", "deployment", "service")}
    if stack.database == "sqlite":
        files.add("deploy/kubernetes/pvc.yaml")  # one replica on one volume: no Job, HPA or PDB
    else:
        files |= {f"deploy/kubernetes/{name}.yaml" for name in ("migrate-job", "pdb", "hpa")}
    if stack.database != "sqlite" or stack.cache == "redis":
        files.add("deploy/kubernetes/secret.example.yaml")  # DATABASE_URL with its password, REDIS_URL
    if stack.cache == "redis":
        files |= {"app/core/cache.py", "tests/test_cache.py"}
    if stack.orm != "tortoise" and stack.concurrency == "async":
        files.add("app/core/pool.py")  # SQLAlchemy's queue pool, fair to its waiters
    if stack.orm != "tortoise":
        files.add("app/core/pool_metrics.py")  # Tortoise exposes no statistics of its pool
    if stack.orm != "tortoise" and stack.database != "sqlite":
        files.add("tests/test_connection_loss.py")  # SQLAlchemy's pool pings idle connections
    return files | MIGRATION_FILES[stack.migration_tool]


def unchosen_words(stack: Stack) -> set[str]:
    """Words that only code for options this stack did not choose would contain."""
    # Drivers, and the server images and tools of the CI workflow's service containers.
    drivers = {
        "sqlite": {"aiosqlite", "PRAGMA"},
        "postgresql": {"asyncpg", "psycopg", "postgres", "pg_isready"},
        "mysql": {"asyncmy", "pymysql", "mariadb"},
    }
    # Server names as compose.yaml, .env.example and the manifests spell them (images, variables);
    # prose elsewhere may compare engines ("unlike PostgreSQL"), so only these spellings count.
    servers = {"postgresql": {"postgres", "POSTGRES_PASSWORD"}, "mysql": {"mariadb", "MARIADB_PASSWORD"}}
    words = set().union(*(names for database, names in drivers.items() if database != stack.database))
    words |= set().union(*(names for database, names in servers.items() if database != stack.database))
    # Both spellings: a docstring or the README would say "SQLModel", an import "sqlmodel".
    orm_names = {"sqlmodel": {"sqlmodel", "SQLModel"}, "tortoise": {"tortoise", "Tortoise"}}
    words |= set().union(*(names for orm, names in orm_names.items() if orm != stack.orm))
    if stack.cache == "none":
        words |= {"redis", "Redis"}
    if stack.migration_tool != "alembic":
        words |= {"alembic", "Alembic"}
    if stack.orm == "tortoise":
        words |= {"sqlalchemy", "SQLAlchemy"}
    return words
