"""The committed samples are what the working tree renders (regenerate: `scripts/samples`)."""

import difflib
from pathlib import Path

import pytest

from tests.samples import SAMPLE_STACKS, SAMPLES_DIR, files, render
from tests.stacks import Stack


@pytest.mark.parametrize("stack", SAMPLE_STACKS, ids=lambda stack: stack.id)
def test_sample_matches_the_template(stack: Stack, tmp_path: Path) -> None:
    render(stack, tmp_path / stack.id)
    rendered, committed = files(tmp_path / stack.id), files(SAMPLES_DIR / stack.id)

    problems = [f"only rendered now: {name}" for name in sorted(rendered.keys() - committed.keys())]
    problems += [f"only in samples/: {name}" for name in sorted(committed.keys() - rendered.keys())]
    for name in sorted(rendered.keys() & committed.keys()):
        if rendered[name] != committed[name]:
            diff = difflib.unified_diff(
                committed[name].splitlines(), rendered[name].splitlines(), f"samples/{name}", "rendered", lineterm=""
            )
            problems.append("\n".join(list(diff)[:40]))
    assert not problems, f"samples/{stack.id} drifted from the template; run scripts/samples\n" + "\n".join(problems)
