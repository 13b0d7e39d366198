"""The working tree holds no unresolved merge: `copier update` and `git merge` leave
conflict markers (or `.rej` files) and still exit 0, so this test is the reminder."""

import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).parent.parent
# Built from pieces so that this file does not contain what it looks for.
CONFLICT_MARKER = re.compile("^(" + "<" * 7 + "|" + ">" * 7 + ")( |$)", re.MULTILINE)
SKIPPED_DIRS = {"__pycache__", "node_modules"}
LARGEST_TEXT_FILE = 1_000_000


def project_files() -> list[Path]:
    """Files of the project, without dot folders (.git, .venv, caches) and build leftovers."""
    files = []
    for path in PROJECT_ROOT.rglob("*"):
        parts = path.relative_to(PROJECT_ROOT).parts
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts[:-1]):
            continue
        if path.is_file():
            files.append(path)
    return files


def test_no_conflict_markers_or_rejected_hunks() -> None:
    problems = []
    for path in project_files():
        name = path.relative_to(PROJECT_ROOT).as_posix()
        if path.suffix == ".rej":
            problems.append(f"{name}: rejected hunk of an update, apply it by hand and delete the file")
            continue
        if path.stat().st_size > LARGEST_TEXT_FILE:
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        text = data.decode(errors="replace")
        for match in CONFLICT_MARKER.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{name}:{line}: unresolved conflict marker")
    assert not problems, "\n".join(problems)
