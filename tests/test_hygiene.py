"""Renders of the working tree take only the template, whatever else lies in the checkout."""

import subprocess
from pathlib import Path

import pytest
from copier import run_copy

from tests.stacks import TEMPLATE_ROOT
from tests.template_snapshot import GIT_ENV, TEMPLATE_PARTS, snapshot


@pytest.fixture
def cluttered_checkout(tmp_path: Path) -> Path:
    """A committed copy of the template, then an uncommitted edit and a stray demo with its own `git init`."""
    checkout = snapshot(tmp_path / "checkout")
    readme = checkout / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nUncommitted line.\n")
    stray = checkout / "my-service"
    (stray / "app").mkdir(parents=True)
    (stray / "app" / "main.py").write_text("print('a user service')\n")
    subprocess.run(["git", "init", "--quiet"], cwd=stray, check=True)
    return checkout


def render(source: Path, destination: Path) -> None:
    run_copy(str(source), destination, defaults=True, vcs_ref="HEAD", quiet=True, unsafe=True)


def test_rendering_the_cluttered_checkout_itself_breaks(cluttered_checkout: Path, tmp_path: Path) -> None:
    # Why the suite and scripts/bench render a snapshot: copier runs `git add -A` over a dirty
    # checkout, which fails on a nested repository without commits.
    with pytest.raises(Exception, match="does not have a commit checked out"):
        render(cluttered_checkout, tmp_path / "direct")


def test_a_snapshot_renders_with_uncommitted_edits_and_without_the_stray_folder(
    cluttered_checkout: Path, tmp_path: Path
) -> None:
    source = snapshot(tmp_path / "snapshot", cluttered_checkout)
    assert sorted(path.name for path in source.iterdir() if path.name != ".git") == sorted(TEMPLATE_PARTS)
    render(source, tmp_path / "service")
    assert "Uncommitted line." in (tmp_path / "service" / "README.md").read_text()
    assert not (tmp_path / "service" / "my-service").exists()


def test_the_suite_renders_a_snapshot_not_the_checkout(request: pytest.FixtureRequest) -> None:
    template = Path(request.config.option.template)
    assert template.resolve() != TEMPLATE_ROOT
    assert (template / "copier.yml").read_text() == (TEMPLATE_ROOT / "copier.yml").read_text()


def test_demo_renders_into_an_ignored_folder_from_inside_the_checkout() -> None:
    where = subprocess.run(
        [str(TEMPLATE_ROOT / "scripts" / "demo"), "--where", "my-service"],
        cwd=TEMPLATE_ROOT / "docs",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where) == TEMPLATE_ROOT / "demos" / "my-service"
    ignored = subprocess.run(["git", "check-ignore", "--quiet", where], cwd=TEMPLATE_ROOT, env=GIT_ENV, check=False)
    assert ignored.returncode == 0, f"{where} is not git-ignored"
