"""`copier update` from older releases of the template, on a throwaway tagged history.

tests/template_history.py builds that history (v0.1.0 -> v0.2.0 -> v0.3.0). The
scenarios: user edits survive an update and template changes arrive; answer
changes give exactly a fresh render of the new answers; a conflict is surfaced;
a `_migrations` step runs once, for the right version range; a `move` step keeps
the user's edits of a file a release moves (on a minimal template of its own). The expensive checks
(install, mypy, the project's own tests) run only where a scenario's claim needs
them: elsewhere, equality with a fresh render carries over what the matrix proves.
"""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests import template_history, user_edits
from tests.conftest import Project, require_server
from tests.stacks import STACK_QUESTIONS, Stack, copier_config, valid_stacks
from tests.template_history import MIGRATION_OUTPUT, copier, git
from tests.test_matrix import check_lint, check_project_tests, check_types, migration_files

pytestmark = pytest.mark.update

USER_FILE = "docs/runbook.md"


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_history.build(tmp_path_factory.mktemp("template-history") / "template")


@pytest.fixture(scope="session")
def last_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The last real release as v0.1.0 and the working tree as v0.2.0, built once per worker."""
    return template_history.build_from_last_release(tmp_path_factory.mktemp("last-release") / "template")


@pytest.fixture
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one the matrix uses in this worker (see tests/conftest.py)."""
    return tmp_path_factory.getbasetemp() / "mypy-cache"


def default_stack() -> Stack:
    return Stack(**{question: str(copier_config()[question]["default"]) for question in STACK_QUESTIONS})


def copy(template_repo: Path, destination: Path, ref: str, **answers: str) -> Path:
    data = [f"--data={key}={value}" for key, value in answers.items()]
    command = ["copy", "--quiet", "--defaults", f"--vcs-ref={ref}", *data, str(template_repo), str(destination)]
    copier(destination.parent, *command)
    return destination


def render(template_repo: Path, destination: Path, ref: str, **answers: str) -> Path:
    """`copier copy` of release `ref`, committed as a user would right after generating."""
    copy(template_repo, destination, ref, **answers)
    git(destination, "init", "--quiet")
    commit(destination, "Generate from the template")
    return destination


def commit(project: Path, message: str) -> None:
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", message)


def update(project: Path, *args: str) -> str:
    """`copier update --trust --defaults` as the docs tell users; returns copier's report."""
    result = copier(project, "update", "--trust", "--defaults", *args)
    return result.stdout + result.stderr


def answers(project: Path) -> dict[str, str]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def unmerged(project: Path) -> set[str]:
    return set(git(project, "diff", "--name-only", "--diff-filter=U").split())


def tree(project: Path) -> dict[str, bytes]:
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def migration_runs(report: str) -> list[str]:
    return [line for line in report.splitlines() if line.startswith(MIGRATION_OUTPUT)]


# --- 1. user edits survive, template changes arrive ------------------------------


def test_update_keeps_user_edits_and_brings_template_changes(
    template_repo: Path, tmp_path: Path, mypy_cache: Path
) -> None:
    stack = Stack(concurrency="async", orm="sqlalchemy", database="sqlite", cache="none")
    project = render(template_repo, tmp_path / "service", "v0.1.0", team="payments", **stack.answers)
    user_edits.apply(project)
    commit(project, "Comments")

    update(project)  # no --vcs-ref: the latest release, v0.3.0

    assert unmerged(project) == set()
    assert git(project, "status", "--porcelain", "--untracked-files=no").strip(), "the update changed nothing"
    assert user_edits.missing(project) == []
    assert answers(project)["_commit"] == "v0.3.0"
    readme = (project / "README.md").read_text()
    assert "generated from copier-fastapi-db `v0.3.0`" in readme
    assert "Ask the payments team." in readme
    assert "def is_production(settings: Settings) -> bool:" in (project / "app/core/config.py").read_text()
    assert (project / "CONTRIBUTING.md").read_text().endswith("Keep commits small.\n")

    # The merged project is still a working one: the rendered tests include the user's
    # test of the new route, the migration cycle with 0003 and the conflict-marker check.
    checked = Project(stack, project, mypy_cache)
    checked.run("uv", "sync", "--quiet")
    check_lint(checked)
    check_types(checked)
    check_project_tests(checked)


# --- 2. answer changes give exactly a fresh render -------------------------------


def changed_questions(old: Stack, new: Stack) -> list[str]:
    return [question for question in STACK_QUESTIONS if old.answers[question] != new.answers[question]]


def answer_changes() -> list[tuple[Stack, Stack]]:
    """From the default stack to each stack that differs in one answer, from copier.yml.

    Plus sync -> async, the direction projects move in. New choices (ORMs, caches)
    join as soon as copier.yml offers them.
    """
    base = default_stack()
    neighbours = [stack for stack in valid_stacks() if len(changed_questions(base, stack)) == 1]
    changes = [(base, stack) for stack in neighbours]
    changes += [(stack, base) for stack in neighbours if stack.concurrency != base.concurrency]
    return changes


def change_id(change: tuple[Stack, Stack]) -> str:
    old, new = change
    [question] = changed_questions(old, new)
    return f"{question}-{old.answers[question]}-to-{new.answers[question]}"


# Equality with a fresh render already means "passes whatever the matrix checks"; one
# change (onto a server engine) also runs the checks here, as a user would after updating.
FULLY_CHECKED = {"database-sqlite-to-postgresql"}


@pytest.mark.parametrize("change", answer_changes(), ids=change_id)
def test_answer_change_equals_fresh_render(
    change: tuple[Stack, Stack],
    template_repo: Path,
    tmp_path: Path,
    mypy_cache: Path,
    available_servers: dict[str, str | None],
) -> None:
    old, new = change
    project = render(template_repo, tmp_path / "service", "v0.1.0", team="payments", **old.answers)
    (project / USER_FILE).parent.mkdir()
    (project / USER_FILE).write_text("# Runbook\n\nRestart it.\n")
    commit(project, "Runbook")

    changed = [f"--data={q}={new.answers[q]}" for q in changed_questions(old, new)]
    update(project, "--vcs-ref=v0.2.0", *changed)

    assert unmerged(project) == set()
    fresh = tmp_path / "fresh"
    copy(template_repo, fresh, "v0.2.0", owner_team="payments", **new.answers)
    updated = tree(project)
    assert updated.pop(USER_FILE) == b"# Runbook\n\nRestart it.\n"
    expected = tree(fresh)
    assert sorted(updated) == sorted(expected), "the updated project has other files than a fresh render"
    differing = [name for name in expected if updated[name] != expected[name]]
    assert differing == [], f"differ from a fresh render: {differing}"

    if change_id(change) in FULLY_CHECKED:
        require_server(new, available_servers)
        checked = Project(new, project, mypy_cache)
        checked.run("uv", "sync", "--quiet")
        check_lint(checked)
        check_types(checked)
        check_project_tests(checked)


def test_answer_changes_cover_every_stack_question() -> None:
    changed = {change_id(change).split("-")[0] for change in answer_changes()}
    offered = {q for q in STACK_QUESTIONS if len(copier_config()[q]["choices"]) > 1}
    assert changed == offered
    assert {change_id(change) for change in answer_changes()} >= FULLY_CHECKED


# --- 3. conflicts are surfaced ---------------------------------------------------

CONFLICTING_README = "\n## Our notes\n\nDeploy on Tuesdays.\n"
CONFLICTING_SETTINGS = """

def is_local(settings: Settings) -> bool:
    return settings.environment == "local"
"""


def test_conflicting_edit_is_surfaced(template_repo: Path, tmp_path: Path, mypy_cache: Path) -> None:
    project = render(template_repo, tmp_path / "service", "v0.1.0", team="payments")
    # Both where v0.2.0 adds its own text: at the end of README.md and app/core/config.py.
    with (project / "README.md").open("a") as readme:
        readme.write(CONFLICTING_README)
    with (project / "app/core/config.py").open("a") as config:
        config.write(CONFLICTING_SETTINGS)
    commit(project, "Our notes")

    report = update(project, "--vcs-ref=v0.2.0")  # exits 0 all the same

    assert unmerged(project) == {"README.md", "app/core/config.py"}
    assert "git diff --name-only --diff-filter=U" in report, "the after-update message tells how to find conflicts"
    readme = (project / "README.md").read_text()
    assert "Deploy on Tuesdays." in readme
    assert "Ask the payments team." in readme

    # The project's own checks refuse the leftovers: ruff the Python file, the rendered
    # repository test every file (run without conftest: app/core/config.py cannot be imported).
    checked = Project(default_stack(), project, mypy_cache)
    checked.run("uv", "sync", "--quiet")
    ruff = run_tool(checked, "ruff", "check", ".")
    assert ruff.returncode != 0
    assert "app/core/config.py" in ruff.stdout
    scan = run_tool(checked, "python", "-m", "pytest", "--noconftest", "-q", "tests/test_no_merge_leftovers.py")
    assert scan.returncode != 0
    assert re.search(r"README\.md:\d+: unresolved conflict marker", scan.stdout), scan.stdout
    assert re.search(r"app/core/config\.py:\d+: unresolved conflict marker", scan.stdout), scan.stdout

    # The other conflict style: .rej files beside untouched files, also refused.
    git(project, "reset", "--quiet", "--hard")
    git(project, "clean", "--quiet", "--force", "-d")
    update(project, "--vcs-ref=v0.2.0", "--conflict=rej")
    assert (project / "README.md.rej").exists()
    scan = run_tool(checked, "python", "-m", "pytest", "--noconftest", "-q", "tests/test_no_merge_leftovers.py")
    assert scan.returncode != 0
    assert "README.md.rej: rejected hunk" in scan.stdout, scan.stdout


def run_tool(project: Project, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A tool of the project's environment that is expected to fail: returns instead of failing the test."""
    command = [str(project.path / ".venv" / "bin" / name), *args]
    return subprocess.run(command, cwd=project.path, env=project.env(), capture_output=True, text=True, check=False)


# --- 4. a migration step runs once, for the right versions -----------------------


def test_migration_runs_once_when_crossing_its_version(template_repo: Path, tmp_path: Path) -> None:
    project = render(template_repo, tmp_path / "service", "v0.1.0", team="payments")

    report = update(project, "--vcs-ref=v0.2.0")
    assert migration_runs(report) == ["migrate.py: answer 'team': renamed to 'owner_team'"]
    assert answers(project)["owner_team"] == "payments"
    assert "team" not in answers(project)
    assert "Ask the payments team." in (project / "README.md").read_text()
    commit(project, "Update to v0.2.0")

    report = update(project, "--vcs-ref=v0.3.0")
    assert migration_runs(report) == []
    assert "Running task" not in report
    assert answers(project)["owner_team"] == "payments"
    assert answers(project)["_commit"] == "v0.3.0"


def test_migration_runs_once_when_jumping_over_its_version(template_repo: Path, tmp_path: Path) -> None:
    project = render(template_repo, tmp_path / "service", "v0.1.0", team="payments")
    report = update(project, "--vcs-ref=v0.3.0")
    assert migration_runs(report) == ["migrate.py: answer 'team': renamed to 'owner_team'"]
    assert answers(project)["owner_team"] == "payments"


def test_copy_needs_no_trust_but_a_migrating_update_does(template_repo: Path, tmp_path: Path) -> None:
    # The latest release has `_migrations`: copying it still works without --trust.
    copier(tmp_path, "copy", "--quiet", "--defaults", str(template_repo), str(tmp_path / "new"))  # no --vcs-ref
    assert answers(tmp_path / "new")["_commit"] == "v0.3.0"

    project = render(template_repo, tmp_path / "service", "v0.1.0", team="payments")
    refused = copier(project, "update", "--defaults", check=False)
    assert refused.returncode != 0
    assert "migrations" in refused.stderr
    assert git(project, "status", "--porcelain") == ""
    assert answers(project)["_commit"] == "v0.1.0"


@pytest.mark.parametrize("with_migration", [True, False], ids=["with-move-step", "without"])
def test_move_step_keeps_user_edits_of_a_moved_file(tmp_path: Path, with_migration: bool) -> None:
    template = template_history.build_moving(tmp_path / "template", with_migration)
    project = render(template, tmp_path / "service", "v1")
    notes = project / "NOTES.md"
    notes.write_text(notes.read_text().replace("first", "first, edited by the user"))
    commit(project, "Our notes")

    update(project)

    assert not notes.exists()
    moved = (project / "docs/NOTES.md").read_text()
    assert "fifth, from v2" in moved
    # Without the step the edit silently leaves the working tree: the step is what keeps it.
    assert ("first, edited by the user" in moved) is with_migration
    assert unmerged(project) == ({"docs/NOTES.md"} if with_migration else set())


# --- 5. from the last real release: the production kit arrives -------------------

KIT_FILES = {
    "compose.yaml",
    "deploy/kubernetes/kustomization.yaml",
    "deploy/kubernetes/deployment.yaml",
    "deploy/kubernetes/migrate-job.yaml",
    "deploy/kubernetes/secret.example.yaml",
}


def test_update_from_last_release_adds_the_kit_without_conflicts(tmp_path: Path, last_release: Path) -> None:
    """An unchanged project of release 0.1.0 (its own commit) updated to the working tree:
    no conflict, and exactly what a fresh render of the working tree gives."""
    template = last_release
    stack = {"concurrency": "async", "orm": "sqlalchemy", "database": "postgresql", "cache": "none"}
    project = render(template, tmp_path / "service", "v0.1.0", **stack)
    assert not (project / "compose.yaml").exists(), "0.1.0 is expected to predate the kit"

    update(project)

    assert unmerged(project) == set()
    assert answers(project)["_commit"] == "v0.2.0"
    updated = tree(project)
    assert not [name for name in updated if name.endswith(".rej")]
    assert set(updated) >= KIT_FILES, sorted(KIT_FILES - set(updated))
    expected = tree(copy(template, tmp_path / "fresh", "v0.2.0", **stack))
    assert sorted(updated) == sorted(expected), "the updated project has other files than a fresh render"
    differing = [name for name in expected if updated[name] != expected[name]]
    assert differing == [], f"differ from a fresh render: {differing}"
    # The flat modules of 0.1.0 became packages (app/crud/ ...): none is left beside its package.
    assert not [name for name in FLAT_MODULES if (project / name).exists()]


# --- 6. from the last real release: a database it created migrates ---------------

MIGRATE = {"alembic": ["alembic", "upgrade", "head"], "tortoise": ["tortoise", "migrate"]}
# 0.1.0 offered SQLAlchemy only: its migrations, on both servers and in both modes.
RELEASE_DATABASES = [
    Stack(concurrency="async", orm="sqlalchemy", database="postgresql", cache="none"),
    Stack(concurrency="sync", orm="sqlalchemy", database="mysql", cache="none"),
]
# Revisions, not the migration environment (env.py), which a release may improve.
REVISION = re.compile(r"migrations/(versions/)?[0-9]{4}_\w+\.py")


@pytest.mark.parametrize("stack", RELEASE_DATABASES, ids=lambda stack: stack.id)
def test_a_database_created_by_the_last_release_migrates_to_this_one(
    stack: Stack,
    tmp_path: Path,
    mypy_cache: Path,
    last_release: Path,
    available_servers: dict[str, str | None],
) -> None:
    """A service generated from 0.1.0 and migrated with its own command is updated and migrated again:
    the database reaches this template's models with no drift, and no released migration was edited
    (schema changes arrive as new revisions)."""
    require_server(stack, available_servers)
    template = last_release
    project = Project(stack, render(template, tmp_path / "service", "v0.1.0", **stack.answers), mypy_cache)
    released = {name: text for name, text in tree(project.path).items() if REVISION.fullmatch(name)}
    project.run("uv", "sync", "--quiet")
    url = project.database_url("release-upgrade")
    project.tool(*MIGRATE[stack.migration_tool], DATABASE_URL=url)
    commit(project.path, "Lock the environment")

    update(project.path)

    assert unmerged(project.path) == set()
    updated = tree(project.path)
    edited = sorted(name for name, text in released.items() if updated.get(name) != text)
    assert edited == [], f"released migrations were edited or removed: {edited}"
    project.run("uv", "sync", "--quiet")
    project.tool(*MIGRATE[stack.migration_tool], DATABASE_URL=url)
    shipped = migration_files(project)
    if stack.migration_tool == "alembic":
        project.tool("alembic", "check", DATABASE_URL=url)  # fails when the models need a new revision
    else:
        project.tool("tortoise", "makemigrations", DATABASE_URL=url)  # writes one only if the models drifted
    drift = migration_files(project) - shipped
    assert not drift, f"the updated models need a migration the update did not bring: {sorted(drift)}"


# --- 7. a file the new release no longer renders, edited by the user ---------------

# The modules 0.1.0 rendered that are packages since: app/crud.py is app/crud/<resource>.py now.
FLAT_MODULES = ("app/models.py", "app/schemas.py", "app/crud.py", "app/services.py")
USER_HELPER = "\n\ndef count_everything() -> int:\n    return 0\n"


def test_an_edited_file_the_release_splits_is_deleted_and_its_edit_stays_in_git(
    tmp_path: Path, last_release: Path
) -> None:
    """What a user who edited app/crud.py sees after updating across the split (docs/updating.md):
    no conflict and no stale module beside the package; `git status` lists the file as deleted,
    and their edit is in the last commit, to be moved into a resource's module by hand."""
    template = last_release
    stack = {"concurrency": "async", "orm": "sqlalchemy", "database": "sqlite", "cache": "none"}
    project = render(template, tmp_path / "service", "v0.1.0", **stack)
    with (project / "app/crud.py").open("a") as crud:
        crud.write(USER_HELPER)
    commit(project, "Our helper")

    update(project)

    assert unmerged(project) == set()
    assert not (project / "app/crud.py").exists()
    assert (project / "app/crud/users.py").exists()
    assert " D app/crud.py" in git(project, "status", "--porcelain").splitlines()
    assert USER_HELPER in git(project, "show", "HEAD:app/crud.py"), "the edit is where the docs say to find it"
