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
from jinja2 import StrictUndefined
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


def computed_values(stack: Stack) -> dict[str, object]:
    """Every answer copier would hold for this stack: its choices, the other questions' defaults, and
    the computed values (`when: false`), evaluated in copier.yml's order as copier does."""
    env = SandboxedEnvironment(undefined=StrictUndefined)
    values: dict[str, object] = {}
    for name, question in copier_config().items():
        if name.startswith("_") or not isinstance(question, dict) or "default" not in question:
            continue
        if name in stack.answers:
            values[name] = stack.answers[name]
            continue
        default = question["default"]
        if isinstance(default, str):
            default = env.from_string(default).render(values).strip()
            if question.get("type") == "bool":
                default = default == "True"
        values[name] = default
    return values


@cache
def template_paths() -> tuple[str, ...]:
    """Every file under template/, relative to it, name conditions and suffix as written."""
    root = TEMPLATE_ROOT / copier_config()["_subdirectory"]
    return tuple(sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()))


def rendered_path(path: str, stack: Stack) -> str | None:
    """Where copier writes a template file for this stack; None when a name condition leaves it out.

    The file names under template/ are the one table of which file each option adds:
    this reads them, so no list of expected files is kept beside them.
    """
    env = SandboxedEnvironment(undefined=StrictUndefined)
    values = {**computed_values(stack), "_copier_conf": {"answers_file": copier_config()["_answers_file"]}}
    source = path.removesuffix(copier_config()["_templates_suffix"])
    parts = [env.from_string(part).render(values) for part in source.split("/")]
    if not all(parts):
        return None  # copier skips a file, or a folder, whose name renders empty
    return "/".join(parts)


def expected_files(stack: Stack) -> set[str]:
    """Files a project of this stack consists of, read from the name conditions under template/."""
    return {name for path in template_paths() if (name := rendered_path(path, stack)) is not None}


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
