"""Inline branches per option in the shared template files: `uv run python -m tests.branches`.

A shared file (anything under template/) should say what an option adds through one
include or one block per concern, not through `{% if %}` tags scattered over it. This
counts the `{% if %}` and `{% elif %}` tags of each file by the option their condition
names (a condition naming two options counts for both; `{% else %}` adds no branch) and
reports every file above LIMIT for some option; tests/test_branches.py fails on any.
What a value adds beyond that goes into `includes/<option>/<value>/` partials
(docs/architecture.md, "Where each option lives").
"""

import re
import sys
from collections import Counter
from pathlib import Path

from tests.stacks import TEMPLATE_ROOT

LIMIT = 2
# The variables through which a shared file can branch on each option (computed ones included).
OPTION_VARIABLES = {
    "cache": ("cache",),
    "orm": ("orm", "uses_alembic"),
    "database": ("database", "database_kind"),
    "concurrency": ("concurrency", "is_async"),
}
BRANCH_TAG = re.compile(r"\{%-?\s*(?:if|elif)\b(.*?)-?%\}", re.DOTALL)


def count_branches(text: str) -> Counter[str]:
    """How many `{% if %}` / `{% elif %}` tags of `text` name each option."""
    counts: Counter[str] = Counter()
    for match in BRANCH_TAG.finditer(text):
        condition = match.group(1)
        for option, variables in OPTION_VARIABLES.items():
            if any(re.search(rf"\b{variable}\b", condition) for variable in variables):
                counts[option] += 1
    return counts


def shared_file_branches(root: Path = TEMPLATE_ROOT) -> dict[str, Counter[str]]:
    """The branch counts of every file under template/ that branches at all, by path."""
    result = {}
    for path in sorted((root / "template").rglob("*")):
        if path.is_file():
            counts = count_branches(path.read_text(errors="replace"))
            if counts:
                result[path.relative_to(root).as_posix()] = counts
    return result


def report(branches: dict[str, Counter[str]]) -> tuple[str, int]:
    """A table of the counts, files above LIMIT marked, and how many files are above it."""
    width = max(map(len, branches), default=0)
    options = list(OPTION_VARIABLES)
    lines = [f"{'file'.ljust(width)}  " + "  ".join(f"{option:>11}" for option in options)]
    over = 0
    for name, counts in branches.items():
        above = any(count > LIMIT for count in counts.values())
        over += above
        cells = "  ".join(f"{counts[option] or '':>11}" for option in options)
        lines.append(f"{name.ljust(width)}  {cells}{'  above the limit' if above else ''}")
    totals = Counter[str]()
    for counts in branches.values():
        totals.update(counts)
    lines.append(f"{'total'.ljust(width)}  " + "  ".join(f"{totals[option]:>11}" for option in options))
    lines.append(f"{over} of {len(branches)} branching files have more than {LIMIT} branches on one option")
    return "\n".join(lines), over


if __name__ == "__main__":
    text, over = report(shared_file_branches())
    print(text)
    sys.exit(1 if over else 0)
