"""Rendered samples committed under samples/: what a template change does to real code.

Two stacks are kept rendered in the repository: the default one and the fullest one
(async SQLAlchemy on PostgreSQL with Redis). `scripts/samples` regenerates them from the
working tree; tests/test_samples.py fails when they drift from it, so a reviewer reads
every template change as a diff of generated code too.
"""

import re
import shutil
import sys
import tempfile
from pathlib import Path

from copier import run_copy

from tests.stacks import STACK_QUESTIONS, TEMPLATE_ROOT, Stack, copier_config

SAMPLES_DIR = TEMPLATE_ROOT / "samples"
SAMPLE_NAME = "Sample Service"
# The template commit a render records changes with every commit: samples show a placeholder.
COMMIT = re.compile(r"^(_commit: |This service was generated from copier-fastapi-db `)[^`\n]+", re.MULTILINE)
COMMIT_PLACEHOLDER = r"\1SAMPLE"


def default_stack() -> Stack:
    return Stack(**{question: str(copier_config()[question]["default"]) for question in STACK_QUESTIONS})


SAMPLE_STACKS = (default_stack(), Stack(concurrency="async", orm="sqlalchemy", database="postgresql", cache="redis"))


def render(stack: Stack, destination: Path) -> None:
    """Render `stack` from the working tree (HEAD plus uncommitted changes) into `destination`."""
    run_copy(
        str(TEMPLATE_ROOT),
        destination,
        data={"project_name": SAMPLE_NAME, **stack.answers},
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    # The answers file names where the template was rendered from: a path of this machine.
    answers = destination / ".copier-answers.yml"
    answers.write_text(re.sub(r"^_src_path: .*$", "_src_path: SAMPLE", answers.read_text(), flags=re.MULTILINE))
    for path in (answers, destination / "README.md"):
        path.write_text(COMMIT.sub(COMMIT_PLACEHOLDER, path.read_text()))


def files(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): path.read_text() for path in sorted(root.rglob("*")) if path.is_file()}


def regenerate() -> None:
    for stack in SAMPLE_STACKS:
        target = SAMPLES_DIR / stack.id
        with tempfile.TemporaryDirectory() as scratch:
            render(stack, Path(scratch) / stack.id)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(Path(scratch) / stack.id, target)
        print(f"samples/{stack.id}: {len(files(target))} files", file=sys.stderr)


if __name__ == "__main__":
    regenerate()
