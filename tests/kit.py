"""The production kit's checks on a rendered project: its Dockerfile and its GitHub workflow lint
clean, its hooks pass.

The tools come from the template repo's own dev environment (next to the interpreter that runs
the suite). A missing tool fails the check, never skips it: a kit nobody checked is not counted.
"""

import sys
from pathlib import Path

import pytest

from tests.conftest import Project


def dev_tool(name: str) -> Path:
    path = Path(sys.executable).parent / name
    if not path.is_file():
        pytest.fail(f"`{name}` is not installed in {path.parent}: run `uv sync` in the template repo")
    return path


def check_dockerfile(project: Project) -> None:
    """hadolint with no finding at all: `style`, the lowest severity, already fails."""
    result = project.run(str(dev_tool("hadolint")), "--no-color", "--failure-threshold", "style", "Dockerfile")
    assert not result.stdout.strip(), result.stdout


def check_workflow(project: Project) -> None:
    """actionlint (syntax, expressions, contexts, each action's runtime) and zizmor (security) find nothing."""
    workflow = ".github/workflows/ci.yml"
    result = project.run(str(dev_tool("actionlint")), "-no-color", workflow)
    assert not result.stdout.strip(), result.stdout
    project.run(str(dev_tool("zizmor")), "--offline", "--no-progress", "--quiet", workflow)


def check_pre_commit(project: Project) -> None:
    """The rendered hooks on every file, as `pre-commit run --all-files` in a fresh clone would."""
    # pre-commit lists the files through git; local hooks install nothing, so its home only holds
    # its own database, shared by the projects of one worker (next to their mypy cache).
    project.run("git", "init", "--quiet")
    project.run("git", "add", "--all")
    home = project.mypy_cache.parent / "pre-commit-home"
    project.run(str(dev_tool("pre-commit")), "run", "--all-files", "--show-diff-on-failure", PRE_COMMIT_HOME=str(home))


def check_kit(project: Project) -> None:
    failures = []
    for check in (check_dockerfile, check_workflow, check_pre_commit):
        try:
            check(project)
        except (AssertionError, pytest.fail.Exception) as error:
            failures.append(f"{check.__name__}: {error}")
    assert not failures, "\n".join(failures)
