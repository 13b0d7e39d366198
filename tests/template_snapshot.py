"""A clean git repository holding only the template's parts of the working tree.

Copier renders a dirty local checkout by cloning it and then running `git add -A`
over the working tree, so whatever else lies in the checkout (a demo service with
its `.venv`, a folder with its own `.git`, which makes that `git add` fail) would be
copied along or break the render. Rendering this snapshot instead takes exactly what
a release ships, with uncommitted edits included.
"""

import os
import shutil
import subprocess
from pathlib import Path

from tests.stacks import TEMPLATE_ROOT

# What copier reads: the questions, the rendered tree, its partials, the update hooks.
TEMPLATE_PARTS = ("copier.yml", "template", "includes", "hooks")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "template snapshot",
    "GIT_AUTHOR_EMAIL": "snapshot@example.com",
    "GIT_COMMITTER_NAME": "template snapshot",
    "GIT_COMMITTER_EMAIL": "snapshot@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def snapshot(destination: Path, checkout: Path = TEMPLATE_ROOT) -> Path:
    """Copy the template parts of `checkout`'s working tree into `destination`, committed; return it."""
    destination.mkdir(parents=True)
    for part in TEMPLATE_PARTS:
        source = checkout / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy2(source, destination / part)
    env = {**os.environ, **GIT_ENV}
    for command in (
        ["git", "init", "--quiet", "--initial-branch=main"],
        ["git", "add", "--all"],
        ["git", "commit", "--quiet", "--no-verify", "--no-gpg-sign", "--message", "template snapshot"],
    ):
        subprocess.run(command, cwd=destination, env=env, check=True, capture_output=True)
    return destination
