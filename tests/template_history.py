"""A throwaway git copy of the template with three tagged releases, for `copier update` tests.

`copier update` only knows tagged versions, so the tests need a history. It is built
from the working tree (v0.1.0) plus two synthetic releases that do what real
releases do:

- v0.1.0: the template as it is, plus a question `team` (default "platform").
- v0.2.0: renames `team` to `owner_team` (with a `_migrations` step that carries the
  user's answer over), appends a function to `app/core/config.py` and a section to
  README.md (both files users also edit), and adds a file.
- v0.3.0: an ordinary change (one more line in the added file), no new migration.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.stacks import TEMPLATE_ROOT
from tests.template_snapshot import TEMPLATE_PARTS

RELEASES = ("v0.1.0", "v0.2.0", "v0.3.0")
MIGRATION_OUTPUT = "migrate.py: "

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

TEAM_QUESTION = """
team:
  type: str
  help: Team that owns the service
  default: platform
"""

OWNER_TEAM_QUESTION = TEAM_QUESTION.replace("team:", "owner_team:", 1)

RENAME_TEAM_MIGRATION = """_migrations:
  - version: v0.2.0
    when: "{{ _stage == 'before' }}"
    command:
      - "{{ _copier_python }}"
      - "{{ _copier_conf.src_path }}/hooks/migrate.py"
      - rename-answer
      - team
      - owner_team
"""

SETTINGS_ADDITION = '''

def is_production(settings: Settings) -> bool:
    """New in v0.2.0 of the template."""
    return settings.environment == "production"
'''

README_ADDITION = """
## Support

Ask the {{ owner_team }} team.
"""

ADDED_FILE = "template/CONTRIBUTING.md"


def run(command: Sequence[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "GIT_DIR", "GIT_WORK_TREE"}}
    result = subprocess.run(list(command), cwd=cwd, env={**env, **GIT_ENV}, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"`{' '.join(command)}` failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def git(cwd: Path, *args: str, check: bool = True) -> str:
    return run(["git", *args], cwd, check=check).stdout


def copier(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The copier command line, as a user runs it (never quiet: tests read its report)."""
    return run([sys.executable, "-m", "copier", *args], cwd, check=check)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path}: the synthetic release expects {old!r}; update tests/template_history.py"
    path.write_text(text.replace(old, new, 1))


def _release(repo: Path, tag: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", f"Release {tag}")
    git(repo, "tag", tag)


def _copy_working_tree(repo: Path) -> None:
    for part in TEMPLATE_PARTS:
        source = TEMPLATE_ROOT / part
        if source.is_dir():
            shutil.copytree(source, repo / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, repo / part)


def build(repo: Path) -> Path:
    """Create the template history in `repo` and return it."""
    repo.mkdir(parents=True)
    _copy_working_tree(repo)
    git(repo, "init", "--quiet", "--initial-branch=main")

    copier_yml = repo / "copier.yml"
    copier_yml.write_text(copier_yml.read_text() + TEAM_QUESTION)
    _release(repo, "v0.1.0")

    _edit(copier_yml, TEAM_QUESTION, OWNER_TEAM_QUESTION)
    _edit(copier_yml, "_migrations: []\n", RENAME_TEAM_MIGRATION)
    config = repo / "template/app/core/config.py.jinja"
    config.write_text(config.read_text() + SETTINGS_ADDITION)
    readme = repo / "template/README.md.jinja"
    readme.write_text(readme.read_text() + README_ADDITION)
    (repo / ADDED_FILE).write_text("# Contributing\n\nRun the checks before you push.\n")
    _release(repo, "v0.2.0")

    added = repo / ADDED_FILE
    added.write_text(added.read_text() + "Keep commits small.\n")
    _release(repo, "v0.3.0")
    return repo


MOVE_MIGRATION = """_migrations:
  - version: v2
    when: "{{ _stage == 'before' }}"
    command:
      ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/migrate.py", "move", "NOTES.md", "docs/NOTES.md"]
"""
NOTES = "# Notes\n\nfirst\nsecond\nthird\nfourth\nfifth\n"


def build_moving(repo: Path, with_migration: bool) -> Path:
    """A minimal template whose v2 moves NOTES.md to docs/NOTES.md and changes its last line."""
    (repo / "template/docs").mkdir(parents=True)
    shutil.copytree(TEMPLATE_ROOT / "hooks", repo / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "copier.yml").write_text("_subdirectory: template\n_migrations: []\n")
    (repo / "template/{{_copier_conf.answers_file}}.jinja").write_text("{{ _copier_answers|to_nice_yaml -}}\n")
    (repo / "template/NOTES.md").write_text(NOTES)
    git(repo, "init", "--quiet", "--initial-branch=main")
    _release(repo, "v1")
    (repo / "template/NOTES.md").rename(repo / "template/docs/NOTES.md")
    (repo / "template/docs/NOTES.md").write_text(NOTES.replace("fifth", "fifth, from v2"))
    if with_migration:
        _edit(repo / "copier.yml", "_migrations: []\n", MOVE_MIGRATION)
    _release(repo, "v2")
    return repo


# The last real release: 0.1.0 in CHANGELOG.md, not tagged in this repository (yet).
LAST_RELEASE = ("v0.1.0", "950339695d80643f673b17ba921a0c43059e97e7")


def build_from_last_release(repo: Path) -> Path:
    """v0.1.0: the template parts of the last release's commit, from this repository's history;
    v0.2.0: the working tree. What `copier update` brings a project generated from that release."""
    tag, commit = LAST_RELEASE
    if git(TEMPLATE_ROOT, "cat-file", "-t", commit, check=False).strip() != "commit":
        raise AssertionError(f"commit {commit} ({tag}) is not in this clone: fetch the full history")
    # Parts the release did not have yet (e.g. includes/) are simply absent from it.
    parts = [part for part in TEMPLATE_PARTS if git(TEMPLATE_ROOT, "ls-tree", "--name-only", commit, part).strip()]
    repo.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, *parts], cwd=TEMPLATE_ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
    git(repo, "init", "--quiet", "--initial-branch=main")
    _release(repo, tag)
    for part in parts:
        if (repo / part).is_dir():
            shutil.rmtree(repo / part)
        else:
            (repo / part).unlink()
    _copy_working_tree(repo)
    _release(repo, "v0.2.0")
    return repo
