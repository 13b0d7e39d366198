"""The questionnaire: defaults, derived values, bad answers refused before anything is written, and
hostile but valid answers rendered into a project that works."""

import json
from pathlib import Path

import pytest
from copier import run_copy
from jinja2.sandbox import SandboxedEnvironment

from tests.conftest import Project
from tests.stacks import STACK_QUESTIONS, Stack, copier_config, refused_stacks, valid_stacks
from tests.template_snapshot import snapshot
from tests.test_matrix import check_lint, check_project_tests, check_types

BAD_ANSWERS = [
    ({"project_name": "   "}, "The project name cannot be empty."),
    ({"project_slug": "My Service"}, '"My Service" is not a valid slug'),
    ({"project_slug": "9lives"}, '"9lives" is not a valid slug'),
    ({"project_slug": "double--dash"}, '"double--dash" is not a valid slug'),
    ({"author_email": "nobody"}, '"nobody" is not an email address'),
    ({"author_email": "a@b"}, '"a@b" is not an email address'),
    ({"database": "oracle"}, "oracle"),
    ({"concurrency": "threads"}, "threads"),
    # A slug naming a package the service installs: uv would see the project depend on itself.
    ({"project_slug": "fastapi"}, '"fastapi" is the name of a package the service installs'),
    ({"project_slug": "anyio"}, '"anyio" is the name of a package the service installs'),
    # Free text is written into code: one printable line, short enough for one line of code.
    ({"project_name": "Two\nlines"}, "The project name must be one line of printable text"),
    ({"description": "tab\there"}, "The description must be one line of printable text"),
    ({"author_name": "nul\x00"}, "The author name must be one line of printable text"),
    ({"project_name": "n" * 101}, "The project name is too long: at most 100 characters"),
    ({"description": "d" * 97}, "The description is too long: at most 96 characters"),
    ({"description": "\\" * 49}, "The description is too long"),
]


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS, ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_bad_answers_are_refused_before_writing(copie, answers: dict[str, str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = copie.copy(extra_answers=answers)

    assert result.exit_code == -1
    assert message in str(result.exception)
    written = [p for p in Path(copie.test_dir).rglob("*") if p.is_file()]
    assert written == [], f"files written for a refused answer: {written}"


def test_slug_is_derived_from_the_name(copie) -> None:  # type: ignore[no-untyped-def]
    result = copie.copy(extra_answers={"project_name": "Orders API"})

    assert result.exit_code == 0, result.exception
    assert result.answers["project_slug"] == "orders-api"
    assert 'name = "orders-api"' in (result.project_dir / "pyproject.toml").read_text()


def test_computed_values_are_not_stored(copie) -> None:  # type: ignore[no-untyped-def]
    result = copie.copy()

    stored = (result.project_dir / ".copier-answers.yml").read_text()
    for computed in ("is_async", "async_", "await_", "db_scheme", "default_database_url"):
        assert f"{computed}:" not in stored


def test_copy_works_without_trust(tmp_path: Path) -> None:
    """No tasks, no custom Jinja extensions: an untrusted `copier copy` renders the template."""
    # A snapshot of the template parts: the checkout itself may hold stray folders (template_snapshot.py).
    template = snapshot(tmp_path / "template")
    run_copy(str(template), tmp_path / "service", defaults=True, unsafe=False, vcs_ref="HEAD", quiet=True)

    assert (tmp_path / "service" / "app" / "main.py").is_file()


# --- Tortoise ORM is async-only -------------------------------------------------

ASYNC_ONLY = "Tortoise ORM is async-only"


@pytest.mark.parametrize("concurrency", ["sync", "async"])
def test_tortoise_choice_is_disabled_for_sync_only(concurrency: str) -> None:
    """The choice's validator (copier shows a non-empty one as the reason the choice is disabled)."""
    choice = copier_config()["orm"]["choices"]["Tortoise ORM"]
    message = SandboxedEnvironment().from_string(choice["validator"]).render(concurrency=concurrency).strip()

    assert choice["value"] == "tortoise"
    if concurrency == "sync":
        assert message.startswith(ASYNC_ONLY)
    else:
        assert message == ""


def test_tortoise_with_sync_is_refused_before_writing(copie) -> None:  # type: ignore[no-untyped-def]
    result = copie.copy(extra_answers={"concurrency": "sync", "orm": "tortoise"})

    assert result.exit_code == -1
    assert ASYNC_ONLY in str(result.exception)
    written = [p for p in Path(copie.test_dir).rglob("*") if p.is_file()]
    assert written == [], f"files written for a refused answer: {written}"


def test_stacks_offer_tortoise_only_async() -> None:
    tortoise = {stack.id for stack in valid_stacks() if stack.orm == "tortoise"}
    refused = {stack.id: message for stack, message in refused_stacks() if stack.orm == "tortoise"}

    combinations = [(database, cache) for database in ("sqlite", "postgresql", "mysql") for cache in ("", "-redis")]
    assert tortoise == {f"async-tortoise-{database}{cache}" for database, cache in combinations}
    assert set(refused) == {f"sync-tortoise-{database}{cache}" for database, cache in combinations}
    assert all(message.startswith(ASYNC_ONLY) for message in refused.values())


# --- Hostile but valid answers ------------------------------------------------------

DEFAULT_STACK = Stack(**{question: str(copier_config()[question]["default"]) for question in STACK_QUESTIONS})


def _padded(text: str, length: int) -> str:
    """`text` padded to exactly `length` characters of Python literal (backslashes and quotes escaped)."""
    escaped = len(text) + text.count("\\") + min(text.count('"'), text.count("'"))
    return text + "x" * (length - escaped)


# Quotes of both kinds, backslashes, braces, shell and HTML syntax, at the longest the questions allow.
HOSTILE = {
    "project_name": _padded("""Robert"); DROP TABLE users; -- $(rm -rf /) `id` back\\slash {braces} """, 100),
    "description": _padded("""It's a "quoted" \\ description with {braces}, ${SHELL} & <b>html</b> """, 96),
    "author_name": """O'Brien "Bob" \\ {x} $(id)""",
    "author_email": "o'brien+ci@example.com",
    "project_slug": "typing",  # a standard-library module name: the package is `app`, never the slug
}


@pytest.mark.matrix
def test_hostile_answers_render_a_project_that_installs_lints_and_passes(copie, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    result = copie.copy(extra_answers=HOSTILE)
    assert result.exit_code == 0, result.exception
    project = Project(DEFAULT_STACK, result.project_dir, mypy_cache=tmp_path_factory.getbasetemp() / "mypy-cache")
    project.run("uv", "sync", "--quiet")

    check_lint(project)
    check_types(project)
    check_project_tests(project)
    # The answers arrive unchanged where they are shown: package metadata and the OpenAPI page.
    shown = project.tool(
        "python",
        "-c",
        "import json, tomllib; from app.main import create_app; app = create_app();"
        "meta = tomllib.load(open('pyproject.toml', 'rb'))['project'];"
        "print(json.dumps([app.title, app.description, meta['description'], meta['authors'][0]]))",
    )
    title, description, summary, author = json.loads(shown.stdout)
    assert (title, description, summary) == (HOSTILE["project_name"], HOSTILE["description"], HOSTILE["description"])
    assert author == {"name": HOSTILE["author_name"], "email": HOSTILE["author_email"]}
