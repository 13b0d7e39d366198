"""Small, idempotent steps that `_migrations` in copier.yml run during `copier update`.

Copier runs each step in the generated project's directory, with its own Python
(`{{ _copier_python }}`, which has PyYAML), once per update that crosses the step's
version. A step may still meet a project it already changed (an interrupted
update, a user who applied the change by hand), so every step checks the state
first and does nothing when nothing is left to do.

    migrate.py rename-answer OLD NEW            a question key was renamed
    migrate.py rename-choice QUESTION OLD NEW   a choice value was renamed
    migrate.py move OLD_PATH NEW_PATH           a file or folder was moved

Run them in the `before` stage: copier re-reads the answers after that stage, so
the update already renders with the new names. For `move` it matters even more:
without it, an update deletes the old path and the user's edits to it vanish from
the working tree; moved first, they are merged at the new path (as a conflict to
resolve when the template changed the same lines).
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ANSWERS_FILE = Path(".copier-answers.yml")


class MigrationError(Exception):
    """The project is in a state the step cannot resolve on its own."""


def _read_answers(path: Path) -> tuple[list[str], dict[str, Any]]:
    text = path.read_text()
    header = [line for line in text.splitlines() if line.startswith("#")]
    return header, yaml.safe_load(text) or {}


def _write_answers(path: Path, header: list[str], answers: dict[str, Any]) -> None:
    body = yaml.safe_dump(answers, sort_keys=False, default_flow_style=False, allow_unicode=True)
    path.write_text("".join(f"{line}\n" for line in header) + body)


def rename_answer(old: str, new: str, answers_file: Path = ANSWERS_FILE) -> str:
    header, answers = _read_answers(answers_file)
    if old not in answers:
        return f"answer {old!r}: not present, nothing to do"
    if new in answers:
        # Answered under both names (e.g. by hand): the new name is the newer answer.
        del answers[old]
        _write_answers(answers_file, header, answers)
        return f"answer {old!r}: dropped, {new!r} is already answered"
    # Same position in the file, so the answers file diff stays one line.
    answers = {new if key == old else key: value for key, value in answers.items()}
    _write_answers(answers_file, header, answers)
    return f"answer {old!r}: renamed to {new!r}"


def rename_choice(question: str, old: str, new: str, answers_file: Path = ANSWERS_FILE) -> str:
    header, answers = _read_answers(answers_file)
    if answers.get(question) != old:
        return f"answer {question!r}: not {old!r}, nothing to do"
    answers[question] = new
    _write_answers(answers_file, header, answers)
    return f"answer {question!r}: {old!r} renamed to {new!r}"


def _tracked_by_git(path: Path) -> bool:
    result = subprocess.run(
        ["git", "ls-files", "--error-unmatch", "--", str(path)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def move(source: Path, target: Path) -> str:
    if not source.exists():
        return f"move {source}: not present, nothing to do"
    if target.exists():
        raise MigrationError(
            f"cannot move {source} to {target}: both exist. Merge {source} into {target} by hand, "
            f"delete {source}, commit, then run `copier update` again."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if _tracked_by_git(source):
        # Through the index: copier diffs the index (not the working tree) against the old
        # template, so the user's edits then follow the file to its new name.
        subprocess.run(["git", "mv", "--", str(source), str(target)], check=True)
    else:
        shutil.move(source, target)
    return f"move {source}: moved to {target}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = parser.add_subparsers(dest="step", required=True)
    step = steps.add_parser("rename-answer")
    step.add_argument("old")
    step.add_argument("new")
    step = steps.add_parser("rename-choice")
    step.add_argument("question")
    step.add_argument("old")
    step.add_argument("new")
    step = steps.add_parser("move")
    step.add_argument("source", type=Path)
    step.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.step == "rename-answer":
            message = rename_answer(args.old, args.new)
        elif args.step == "rename-choice":
            message = rename_choice(args.question, args.old, args.new)
        else:
            message = move(args.source, args.target)
    except MigrationError as error:
        print(f"migrate.py: {error}", file=sys.stderr)
        return 1
    print(f"migrate.py: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
