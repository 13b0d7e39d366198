"""Unit tests of hooks/migrate.py: each step does its job once, then nothing on a second run."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hooks import migrate

HEADER = "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / ".copier-answers.yml"
    path.write_text(HEADER + "_commit: v0.1.0\n_src_path: gh:x/y\nteam: payments\ndatabase: mariadb\norm: sqlalchemy\n")
    return path


def answers(path: Path) -> dict[str, str]:
    return yaml.safe_load(path.read_text())


def test_rename_answer_keeps_value_position_and_header(answers_file: Path) -> None:
    assert "renamed" in migrate.rename_answer("team", "owner_team", answers_file)
    assert answers_file.read_text().startswith(HEADER)
    assert list(answers(answers_file)) == ["_commit", "_src_path", "owner_team", "database", "orm"]
    assert answers(answers_file)["owner_team"] == "payments"


def test_rename_answer_is_idempotent(answers_file: Path) -> None:
    migrate.rename_answer("team", "owner_team", answers_file)
    after_first = answers_file.read_text()
    assert "nothing to do" in migrate.rename_answer("team", "owner_team", answers_file)
    assert answers_file.read_text() == after_first


def test_rename_answer_keeps_an_existing_new_answer(answers_file: Path) -> None:
    answers_file.write_text(answers_file.read_text() + "owner_team: search\n")
    assert "dropped" in migrate.rename_answer("team", "owner_team", answers_file)
    assert "team" not in answers(answers_file)
    assert answers(answers_file)["owner_team"] == "search"


def test_rename_choice_only_touches_the_old_value(answers_file: Path) -> None:
    assert "renamed" in migrate.rename_choice("database", "mariadb", "mysql", answers_file)
    assert answers(answers_file)["database"] == "mysql"
    assert "nothing to do" in migrate.rename_choice("database", "mariadb", "mysql", answers_file)
    assert "nothing to do" in migrate.rename_choice("orm", "sqlmodel", "x", answers_file)
    assert answers(answers_file)["orm"] == "sqlalchemy"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("tracked", [True, False], ids=["tracked", "untracked"])
def test_move_is_idempotent_and_stages_tracked_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tracked: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    Path("NOTES.md").write_text("user notes\n")
    if tracked:
        git(tmp_path, "add", "NOTES.md")

    assert "moved" in migrate.move(Path("NOTES.md"), Path("docs/notes.md"))
    assert Path("docs/notes.md").read_text() == "user notes\n"
    assert not Path("NOTES.md").exists()
    # copier diffs the index, so a tracked file must be moved there too.
    assert git(tmp_path, "ls-files").split() == (["docs/notes.md"] if tracked else [])
    assert "nothing to do" in migrate.move(Path("NOTES.md"), Path("docs/notes.md"))


def test_move_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.md").write_text("a\n")
    Path("b.md").write_text("b\n")
    with pytest.raises(migrate.MigrationError, match=r"both exist.*by hand"):
        migrate.move(Path("a.md"), Path("b.md"))
    assert Path("a.md").read_text() == "a\n"
    assert Path("b.md").read_text() == "b\n"


def test_command_line_reports_and_fails_cleanly(tmp_path: Path, answers_file: Path) -> None:
    script = Path(migrate.__file__)
    run = [sys.executable, str(script)]
    done = subprocess.run([*run, "rename-answer", "team", "owner_team"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout == "migrate.py: answer 'team': renamed to 'owner_team'\n"
    (tmp_path / "a").write_text("")
    (tmp_path / "b").write_text("")
    refused = subprocess.run([*run, "move", "a", "b"], cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "both exist" in refused.stderr
