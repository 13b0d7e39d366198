"""The name conditions under template/: each one keeps its file in some stacks and leaves it out of others.

They are the one table of which files an option adds (tests/stacks.py reads the expected
files of each stack from them), so a condition that is always true or always false, e.g.
a misspelt choice value, would otherwise go unnoticed: the file would just never appear.
"""

import pytest

from tests.stacks import rendered_path, template_paths, valid_stacks

CONDITIONAL = [path for path in template_paths() if "{%" in path]


def test_some_files_are_conditional() -> None:
    assert len(CONDITIONAL) >= 10, CONDITIONAL


@pytest.mark.parametrize("path", CONDITIONAL)
def test_a_name_condition_both_keeps_and_leaves_out_its_file(path: str) -> None:
    kept = {stack.id for stack in valid_stacks() if rendered_path(path, stack) is not None}
    assert kept, f"{path}: no stack renders it"
    assert len(kept) < len(valid_stacks()), f"{path}: every stack renders it, so the condition says nothing"
