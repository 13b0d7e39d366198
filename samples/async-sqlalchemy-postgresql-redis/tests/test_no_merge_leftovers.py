"""The working tree holds no unresolved merge: `copier update` and `git merge` leave
conflict markers (or `.rej` files) and still exit 0, so this test is the reminder."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).parent.parent
# Built from pieces so that this file does not contain what it looks for.
CONFLICT_MARKER = re.compile("^(" + "<" * 7 + "|" + ">" * 7 + ")( |$)", re.MULTILINE)
SKIPPED_DIRS = {"__pycache__", "node_modules"}
LARGEST_TEXT_FILE = 1_000_000


def project_files() -> Iterator[Path]:
    for directory, subdirs, files in os.walk(PROJECT_ROOT):
        # Not the project's own text: dot folders (.git, .venv, caches) and virtualenvs by any name.
        subdirs[:] = [
            name
            for name in subdirs
            if not name.startswith(".")
            and name not in SKIPPED_DIRS
            and not Path(directory, name, "pyvenv.cfg").exists()
        ]
        for name in files:
            yield Path(directory, name)


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
