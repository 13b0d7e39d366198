"""Shared fixtures of the template's suite: servers, rendered projects, the summary table.

Each stack is rendered once per session into its own directory and gets a fresh
virtual environment installed from its own pyproject.toml (uv, shared cache), so
a dependency missing from the template fails here, not on a user's machine.
"""

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import matrix, services
from tests.stacks import Stack
from tests.template_snapshot import snapshot

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
SERVER_ENGINES = matrix.SERVER_ENGINES
# Every server a stack may need: its database engine's, and Redis for `cache: redis`.
SERVERS = (*SERVER_ENGINES, "redis")
_NOT_INHERITED = {
    "VIRTUAL_ENV",
    "PYTHONDONTWRITEBYTECODE",
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "REDIS_URL",
    "TEST_REDIS_URL",
}


@dataclass
class Project:
    stack: Stack
    path: Path
    # mypy's cache is shared by the projects one worker checks in turn: the third-party
    # packages are analysed once per worker instead of once per stack (~13 s each).
    mypy_cache: Path

    def env(self, **extra: str) -> dict[str, str]:
        # The project's own settings only; bytecode is written so each tool run imports fast.
        env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
        env.update(UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1", MYPY_CACHE_DIR=str(self.mypy_cache), **extra)
        return env

    def run(self, *command: str, timeout: float = 900, **env: str) -> subprocess.CompletedProcess[str]:
        """Run a command in the project; fail the test with its output if it fails."""
        result = subprocess.run(
            command, cwd=self.path, env=self.env(**env), capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr)[-6000:]
            pytest.fail(f"`{' '.join(command)}` failed in {self.stack.id} ({result.returncode}):\n{output}")
        return result

    def tool(self, name: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.run(str(self.path / ".venv" / "bin" / name), *args, **env)

    def database_url(self, purpose: str) -> str:
        """A URL to a fresh, empty database of this project's engine, with its own driver."""
        example = (self.path / ".env.example").read_text()
        url = next(line.split("=", 1)[1] for line in example.splitlines() if line.startswith("DATABASE_URL="))
        scheme = url.split("://", 1)[0]
        if self.stack.database == "sqlite":
            directory = self.path / ".test-databases"
            directory.mkdir(exist_ok=True)
            (directory / f"{purpose}.db").unlink(missing_ok=True)
            return f"{scheme}:///{directory / purpose}.db"
        # The pid keeps concurrent runs of the suite (several checkouts) off each other's databases.
        location = services.fresh_database(self.stack.database, f"cfd_{os.getpid()}_{self.stack.id}_{purpose}")
        return f"{scheme}://{services.APP_USER}:{services.APP_PASSWORD}@{location}"


_SNAPSHOT_DIR = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """pytest-copie renders a clean snapshot of the template, not the checkout (see template_snapshot.py)."""
    if getattr(config.option, "template", None) in (None, ".", str(Path.cwd())):
        # One per process (each xdist worker too), removed when the process ends.
        config.stash[_SNAPSHOT_DIR] = Path(tempfile.mkdtemp(prefix="cfd-template-"))
        config.option.template = str(snapshot(config.stash[_SNAPSHOT_DIR] / "template"))


def pytest_unconfigure(config: pytest.Config) -> None:
    if directory := config.stash.get(_SNAPSHOT_DIR, None):
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def available_servers() -> dict[str, str | None]:
    """Server -> None if it answers, else why not."""
    status: dict[str, str | None] = {}
    for server in SERVERS:
        try:
            services.check(server)
            status[server] = None
        except services.ServerUnavailable as error:
            status[server] = str(error)
    return status


def servers_needed(stack: Stack) -> list[str]:
    return matrix.servers(stack)  # the same list the CI matrix gives each job


def require_server(stack: Stack, available_servers: dict[str, str | None]) -> None:
    """Skip a stack whose servers are down, or fail under REQUIRE_SERVICES=1 (the test script and CI)."""
    problems = [problem for server in servers_needed(stack) if (problem := available_servers[server])]
    if problems:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {'; '.join(problems)}")
        pytest.skip("; ".join(problems))


# --- one summary line per stack, and the matrix wall time ---------------------

_timings: dict[str, tuple[str, dict[str, float]]] = {}
_session_start = time.monotonic()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" and not (report.when == "setup" and not report.passed):
        return
    properties = dict(report.user_properties)
    if "timings" in properties or "test_stack[" in report.nodeid:
        stack = report.nodeid.rsplit("[", 1)[1].rstrip("]")
        _timings[stack] = (report.outcome, properties.get("timings", {}))


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not _timings:
        return
    write = terminalreporter.write_line
    terminalreporter.section("stack matrix")
    for stack, (outcome, steps) in sorted(_timings.items()):
        detail = "  ".join(f"{step} {seconds:5.1f}s" for step, seconds in steps.items())
        write(f"{stack:36} {outcome:7} {sum(steps.values()):6.1f}s  |  {detail}")
    write(f"matrix wall time: {time.monotonic() - _session_start:.1f}s for {len(_timings)} stacks")
