"""Find the CPython of each `python_version` choice, which need not be on PATH.

uv cannot download Python here (UV_PYTHON_DOWNLOADS=never) and pyenv's shims only
answer for the globally selected version, so look in this order: PYTHON_X_Y in the
environment, `pythonX.Y` on PATH (if it really runs), what `uv python find` finds
(a CI runner's `uv python install`), pyenv's versions directory.
"""

import os
import shutil
import subprocess
from pathlib import Path


def _runs_as(executable: str, version: str) -> bool:
    try:
        result = subprocess.run(
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return False
    return result.returncode == 0 and result.stdout.strip() == version


def _pyenv_root() -> Path:
    if root := os.environ.get("PYENV_ROOT"):
        return Path(root)
    if pyenv := shutil.which("pyenv"):
        result = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip():
            return Path(result.stdout.strip())
    return Path.home() / ".pyenv"


def _uv_find(version: str) -> str:
    """What uv finds (its own installs, e.g. `uv python install` on a CI runner), or ""."""
    uv = shutil.which("uv")
    if not uv:
        return ""
    result = subprocess.run(
        [uv, "python", "find", "--no-project", version],
        capture_output=True,
        text=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def find_python(version: str) -> str | None:
    """Path of a working `python<version>` interpreter, or None."""
    candidates = [os.environ.get(f"PYTHON_{version.replace('.', '_')}", "")]
    candidates.append(shutil.which(f"python{version}") or "")
    candidates.append(_uv_find(version))
    # Newest patch release first: "3.12.10" sorts after "3.12.9".
    installed = sorted(
        (_pyenv_root() / "versions").glob(f"{version}.*/bin/python{version}"),
        key=lambda path: [int(part) if part.isdigit() else 0 for part in path.parent.parent.name.split(".")],
        reverse=True,
    )
    candidates += [str(path) for path in installed]
    return next((candidate for candidate in candidates if candidate and _runs_as(candidate, version)), None)
