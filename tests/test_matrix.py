"""Every valid stack, end to end: render, install, lint, type-check, migrate, run its own tests.

One test per stack (xdist spreads the stacks over the workers). The steps after
the install all run even when one fails, so a report shows every broken step at once;
their timings feed the per-stack summary line (see conftest.py).
"""

import os
import re
import time
import tomllib
from collections.abc import Callable

import pytest

from tests import services
from tests.conftest import REQUIRE_SERVICES, Project, require_server
from tests.interpreters import find_python
from tests.kit import check_kit
from tests.matrix import python_choices
from tests.stacks import Stack, copier_config, expected_files, unchosen_words, valid_stacks

# `}}` alone is ordinary Python (nested dict literals), so only openers and `%}` count;
# `${{` opens a GitHub Actions expression (the workflow), not a Jinja one.
JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|%\}|\{#")
SKIPPED_DIRS = {".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__", ".test-databases"}
SKIPPED_NAMES = {"uv.lock"}


def text_files(project: Project) -> dict[str, str]:
    return {
        path.relative_to(project.path).as_posix(): path.read_text()
        for path in project.path.rglob("*")
        if path.is_file()
        and not SKIPPED_DIRS & set(path.relative_to(project.path).parts)
        and path.name not in SKIPPED_NAMES
        and path.suffix not in {".db", ".pyc"}
    }


def check_render(project: Project) -> None:
    files = text_files(project)
    expected = expected_files(project.stack)
    missing, unexpected = expected - set(files), set(files) - expected
    assert not missing, f"missing files: {sorted(missing)}"
    # The project's own tools wrote nothing the test steps do not skip, so this is copier's output.
    assert not unexpected, f"files no name under template/ accounts for: {sorted(unexpected)}"
    problems = []
    for name, text in files.items():
        if JINJA_LEFTOVER.search(text) and not name.endswith(".mako"):  # .mako: Alembic's own templates
            problems.append(f"{name}: leftover Jinja")
        if text and ("\n\n\n\n" in text or text.startswith("\n") or not text.endswith("\n") or text.endswith("\n\n")):
            problems.append(f"{name}: blank-line artefact")
        if re.search(r"[ \t]+$", text, re.MULTILINE):
            problems.append(f"{name}: trailing whitespace")
        # The answers file records where the template lives (`_src_path`), which may contain any word.
        if name == ".copier-answers.yml":
            continue
        problems += [
            f"{name}: mentions {word!r}, an option not chosen"
            for word in sorted(unchosen_words(project.stack))
            if re.search(rf"\b{re.escape(word)}\b", text)
        ]
    assert not problems, "\n".join(problems)


def check_slug_guard(project: Project) -> None:
    """Every distribution the stack's lock holds is a slug copier.yml refuses (`dependency_names`).

    A project named like one of them could not be installed, so a release that brings a new
    dependency must add its name there.
    """
    lock = tomllib.loads((project.path / "uv.lock").read_text())
    own_name = tomllib.loads((project.path / "pyproject.toml").read_text())["project"]["name"]
    installed = {package["name"] for package in lock["package"]} - {own_name}
    missing = installed - set(copier_config()["dependency_names"]["default"])
    assert not missing, f"add to `dependency_names` in copier.yml: {sorted(missing)}"


def check_lint(project: Project) -> None:
    project.tool("ruff", "check", ".")
    project.tool("ruff", "format", "--check", ".")


def check_types(project: Project) -> None:
    project.tool("mypy")


# Empty database -> head -> no drift -> base -> head again, per migration tool.
# Alembic's steps run through its CLI entry point in one interpreter (one import, not four).
ALEMBIC_CYCLE = ["upgrade head", "check", "downgrade base", "upgrade head"]
MIGRATION_STEPS = {
    "alembic": [
        [
            "python",
            "-c",
            "import sys; from alembic.config import main; [main(argv=step.split()) for step in sys.argv[1:]]",
            *ALEMBIC_CYCLE,
        ]
    ],
    # Tortoise's tool has no check command: `makemigrations` writes a migration file only when
    # the models drifted from the migrations, which `check_migrations` reports as a failure.
    "tortoise": [
        ["tortoise", "migrate"],
        ["tortoise", "makemigrations"],
        ["tortoise", "downgrade", "models"],
        ["tortoise", "migrate"],
    ],
}


def migration_files(project: Project) -> set[str]:
    return {
        path.relative_to(project.path).as_posix()
        for path in (project.path / "migrations").rglob("*.py")
        if "__pycache__" not in path.parts
    }


def check_migrations(project: Project) -> None:
    """The migration cycle on a fresh database of its own; it must not need a new migration."""
    url = project.database_url("migrations")
    shipped = migration_files(project)
    for tool, *args in MIGRATION_STEPS[project.stack.migration_tool]:
        result = project.tool(tool, *args, DATABASE_URL=url)
        if project.stack.migration_tool == "alembic":
            assert result.stderr.count("Running upgrade") >= 2, result.stderr
            assert "Running downgrade" in result.stderr, result.stderr
    drift = migration_files(project) - shipped
    assert not drift, f"the models drifted from the shipped migrations: {sorted(drift)} was generated"


def check_project_tests(project: Project) -> None:
    """The rendered project's own suite, against a fresh database on the real server (and the real Redis)."""
    env = {} if project.stack.database == "sqlite" else {"TEST_DATABASE_URL": project.database_url("tests")}
    if project.stack.cache == "redis":
        # Shared by every stack: the rendered tests keep to keys under a prefix unique to their run.
        env["TEST_REDIS_URL"] = services.REDIS_URL
    result = project.tool("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", **env)
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary), result.stdout[-3000:]
    assert not re.search(r"skipped|xfailed|failed|error", summary), f"not everything passed: {summary}"


CHECKS: dict[str, Callable[[Project], None]] = {
    "render": check_render,
    "slug guard": check_slug_guard,
    "lint": check_lint,
    "mypy": check_types,
    "migrations": check_migrations,
    "tests": check_project_tests,
    "kit": check_kit,
}


def check_stack(stack: Stack, copie, record_property, tmp_path_factory, python: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Render `stack` (with `python_version=python` if given) and run every check on that interpreter."""
    timings: dict[str, float] = {}
    record_property("timings", timings)

    started = time.monotonic()
    answers = {"project_name": f"Demo {stack.id}", **stack.answers}
    sync = ["uv", "sync", "--quiet"]
    if python is not None:
        interpreter = find_python(python)
        if interpreter is None:
            message = f"no Python {python} found (set PYTHON_{python.replace('.', '_')} or install it under pyenv)"
            if REQUIRE_SERVICES:
                pytest.fail(message)
            pytest.skip(message)
        answers["python_version"] = python
        sync += ["--python", interpreter]
    result = copie.copy(extra_answers=answers)
    assert result.exit_code == 0, f"rendering {stack.id} failed: {result.exception!r}"
    project = Project(stack, result.project_dir, mypy_cache=tmp_path_factory.getbasetemp() / "mypy-cache")
    # uv's cache is shared by every project and xdist worker: installs are links, not downloads.
    project.run(*sync)
    if python is not None:
        project.tool("python", "-c", f"import sys; assert sys.version.startswith('{python}.'), sys.version")
    timings["install"] = time.monotonic() - started

    failures = []
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check(project)
        except (AssertionError, pytest.fail.Exception) as error:
            failures.append(f"--- {name} ---\n{error}")
        timings[name] = time.monotonic() - started
    assert not failures, f"{stack.id}: {len(failures)} step(s) failed\n" + "\n".join(failures)


@pytest.mark.matrix
@pytest.mark.parametrize("stack", valid_stacks(), ids=lambda stack: stack.id)
def test_stack(stack: Stack, copie, available_servers, record_property, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """Each stack with the default answers; STACK_PYTHON=X.Y (`scripts/test --python`) renders it for X.Y."""
    require_server(stack, available_servers)
    check_stack(stack, copie, record_property, tmp_path_factory, python=os.environ.get("STACK_PYTHON") or None)


# One full stack per newer `python_version` choice, spread over ORMs and engines (the
# GitHub matrix runs every stack on the newest): the choices come from copier.yml.
_NEWER_PYTHONS = [version for version in python_choices() if version != copier_config()["python_version"]["default"]]
_PYTHON_STACKS = ["async-tortoise-postgresql-redis", "sync-sqlmodel-mysql", "async-sqlalchemy-sqlite"]
_BY_ID = {stack.id: stack for stack in valid_stacks()}


@pytest.mark.matrix
@pytest.mark.parametrize(
    ("python", "stack"),
    [(python, _BY_ID[_PYTHON_STACKS[i % len(_PYTHON_STACKS)]]) for i, python in enumerate(_NEWER_PYTHONS)],
    ids=lambda value: value if isinstance(value, str) else value.id,
)
def test_stack_on_python(python, stack, copie, available_servers, record_property, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    require_server(stack, available_servers)
    check_stack(stack, copie, record_property, tmp_path_factory, python=python)
