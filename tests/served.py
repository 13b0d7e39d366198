"""A rendered stack served by uvicorn on loopback, for the suites that test it from outside.

`installed_project` renders and installs a stack once per session (per xdist worker);
`migrate` gives it a schema on a database URL; `serve` runs uvicorn on a free port
and yields a `Served` whose log is what the server printed, read after it stopped.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import Project
from tests.stacks import Stack

# Empty database -> head, per migration tool, with the project's own environment.
UPGRADE = {"alembic": ("alembic", "upgrade", "head"), "tortoise": ("tortoise", "migrate")}
START_TIMEOUT = 30.0
# uvicorn re-raises the signal it stopped on once it has shut down cleanly.
CLEAN_EXITS = frozenset({0, -signal.SIGTERM})


def installed_project(copie_session, stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Project:  # type: ignore[no-untyped-def]
    """Render `stack` with the default identity answers and install it (uv, shared cache)."""
    result = copie_session.copy(extra_answers={"project_name": f"Served {stack.id}", **stack.answers})
    assert result.exit_code == 0, f"rendering {stack.id} failed: {result.exception!r}"
    project = Project(stack, result.project_dir, mypy_cache=tmp_path_factory.getbasetemp() / "mypy-cache")
    project.run("uv", "sync", "--quiet")
    return project


def migrate(project: Project, database_url: str) -> None:
    project.tool(*UPGRADE[project.stack.migration_tool], DATABASE_URL=database_url)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    log_path: Path
    stopped_with: int | None = field(default=None)

    @property
    def stopped_cleanly(self) -> bool:
        return self.stopped_with in CLEAN_EXITS and "Finished server process" in self.log

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (the app drains for SHUTDOWN_DRAIN_SECONDS, then uvicorn finishes the requests in
        flight), then wait; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"uvicorn did not stop within {timeout}s of SIGTERM:\n{self.log[-4000:]}")
        self.stopped_with = self.process.returncode
        return self.process.returncode


def wait_until_live(url: str, process: subprocess.Popen[str], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited ({process.returncode}) before answering:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health/live", timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"uvicorn did not answer /health/live within {START_TIMEOUT}s:\n{log_path.read_text()[-4000:]}")


@contextmanager
def serve(project: Project, *uvicorn_args: str, **env: str) -> Iterator[Served]:
    """Serve `app.main:app` from the project's environment with `env` as its settings."""
    port = free_port()
    log_path = project.path / f"uvicorn-{port}.log"
    command = [str(project.path / ".venv" / "bin" / "uvicorn"), "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log", *uvicorn_args]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=project.path,
            env=project.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # a Ctrl-C of the suite must not reach it before its stop
        )
    served = Served(f"http://127.0.0.1:{port}", process, log_path)
    try:
        wait_until_live(served.url, process, log_path)
        yield served
    finally:
        served.stop()
        if process.poll() is None:  # pragma: no cover - stop() kills on timeout
            os.killpg(process.pid, signal.SIGKILL)
