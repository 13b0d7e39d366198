"""The release check: a tag publishes only with its own CHANGELOG entry, which becomes the notes."""

import subprocess
import sys

import pytest

from tests.stacks import TEMPLATE_ROOT

SCRIPT = TEMPLATE_ROOT / "scripts" / "changelog_entry.py"
CHANGELOG = """# Changelog

## Unreleased

- next thing

## 0.2.0

- second
- more

## 0.1.0

## 0.0.1
"""


def run(tag: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), tag], capture_output=True, text=True, check=False)


def entry(tag: str) -> str:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import changelog_entry
    finally:
        sys.path.pop(0)
    return changelog_entry.entry(CHANGELOG, tag)


def test_the_tag_entry_is_printed_without_its_neighbours() -> None:
    assert entry("v0.2.0") == "- second\n- more\n"


@pytest.mark.parametrize(
    ("tag", "message"),
    [("v0.3.0", "no `## 0.3.0` entry"), ("v0.1.0", "empty"), ("Unreleased", "not a release tag"), ("v1.2", "not a")],
)
def test_a_tag_without_a_proper_entry_is_refused(tag: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        entry(tag)


def test_the_repository_changelog_has_the_first_release() -> None:
    result = run("v0.1.0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("First release.")


def test_the_script_fails_on_an_unknown_version() -> None:
    result = run("v99.0.0")
    assert result.returncode == 1
    assert "no `## 99.0.0` entry" in result.stderr
