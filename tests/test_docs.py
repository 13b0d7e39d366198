"""The documentation site builds strictly, and its options reference matches copier.yml."""

import re
import subprocess
import sys
from pathlib import Path

from tests.stacks import TEMPLATE_ROOT, copier_config

OPTIONS = TEMPLATE_ROOT / "docs" / "options.md"


def questions() -> dict[str, list[str]]:
    """Each question the user is asked -> its choice values (empty for free text)."""
    found = {}
    for key, spec in copier_config().items():
        if key.startswith("_") or not isinstance(spec, dict) or spec.get("when") is False:
            continue
        choices = spec.get("choices", [])
        items = choices.values() if isinstance(choices, dict) else choices
        found[key] = [str(item["value"] if isinstance(item, dict) else item) for item in items]
    return found


def sections(text: str) -> dict[str, str]:
    """`## \\`question\\`...` heading -> the text up to the next such heading."""
    parts = re.split(r"^## `([a-z_]+)`.*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_site_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(Path(sys.executable).parent)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    changelog = (tmp_path / "site" / "changelog" / "index.html").read_text()
    assert "First release." in changelog, "the changelog page does not carry CHANGELOG.md"


def test_every_question_and_choice_is_documented() -> None:
    documented = sections(OPTIONS.read_text())
    missing = [name for name in questions() if name not in documented]
    assert not missing, f"docs/options.md has no `## \\`name\\`` section for {missing}"
    for name, choices in questions().items():
        undocumented = [value for value in choices if f"`{value}`" not in documented[name]]
        assert not undocumented, f"docs/options.md, section {name}: choices {undocumented} are not described"


def test_nothing_stale_in_the_options_reference() -> None:
    asked = questions()
    documented = sections(OPTIONS.read_text())
    stale = [name for name in documented if name not in asked]
    assert not stale, f"docs/options.md documents questions copier.yml no longer has: {stale}"
    for name, text in documented.items():
        # Choices are named in the section's heading ("## `concurrency`: `async` or `sync`")
        # and in the first column of its "| Choice |" table.
        heading = re.search(rf"^## `{name}`(.*)$", OPTIONS.read_text(), flags=re.MULTILINE)
        named = re.findall(r"`([^`]+)`", heading.group(1) if heading else "")
        for table in re.findall(r"^\| Choice \|.*\n\|[-| ]+\|\n((?:\|.*\n)+)", text, flags=re.MULTILINE):
            named += re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)
        unknown = [value for value in named if value not in asked[name]]
        assert not unknown, f"docs/options.md, section {name}: {unknown} are not choices of {name}"
