"""The Dockerfile's install and start, run outside a container (no container engine here).

One stack per migration tool and engine: a fresh copy of the rendered project is locked
(`uv lock`, what a user commits), installed the way the builder stage does (`uv sync --locked
--no-dev`), migrated with the stack's migrate command and started with the image's own CMD
and settings; its /health/ready must answer 200. The image build itself runs in the template
repo's GitHub workflow (docs/deploy.md).
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import Project, require_server
from tests.stacks import Stack, valid_stacks

KIT_STACKS = {"async-sqlalchemy-sqlite", "sync-sqlmodel-postgresql", "async-tortoise-mysql"}
STACKS = [stack for stack in valid_stacks() if stack.id in KIT_STACKS]
assert len(STACKS) == len(KIT_STACKS), f"not stacks of copier.yml: {KIT_STACKS - {s.id for s in STACKS}}"
START_TIMEOUT = 30.0
# The stack's migrate command (`migrate_command` in copier.yml), run from the image's environment.
MIGRATE = {"alembic": ("alembic", "upgrade", "head"), "tortoise": ("tortoise", "migrate")}


def dockerfile_instruction(dockerfile: str, name: str) -> str:
    """The text of the last `name` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    return [line for line in joined.splitlines() if line.startswith(f"{name} ")][-1].removeprefix(f"{name} ")


def image_env(dockerfile: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in dockerfile_instruction(dockerfile, "ENV").split())


def builder_uv_commands(dockerfile: str) -> list[list[str]]:
    """The `uv ...` commands of the RUN instructions, without their `--mount` options."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    runs = [line.removeprefix("RUN ") for line in joined.splitlines() if line.startswith("RUN ")]
    words = [[word for word in run.split() if not word.startswith("--mount=")] for run in runs]
    return [command for command in words if command[:1] == ["uv"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def wait_for(url: str, process: subprocess.Popen[str], log: Path) -> int:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited ({process.returncode}) before answering:\n{log.read_text()[-4000:]}")
        if status := get(url):
            return status
        time.sleep(0.1)
    pytest.fail(f"uvicorn did not answer {url} within {START_TIMEOUT}s:\n{log.read_text()[-4000:]}")


@pytest.mark.parametrize("stack", STACKS, ids=lambda stack: stack.id)
def test_image_install_and_start(stack: Stack, copie, available_servers, tmp_path, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    require_server(stack, available_servers)
    result = copie.copy(extra_answers={"project_name": f"Kit {stack.id}", **stack.answers})
    assert result.exit_code == 0, f"rendering {stack.id} failed: {result.exception!r}"
    app_dir = tmp_path / "app"  # the image's WORKDIR, fresh: no environment, no lock file yet
    shutil.copytree(result.project_dir, app_dir)
    assert not (app_dir / "uv.lock").exists(), "the rendered project is expected to ship without uv.lock"
    project = Project(stack, app_dir, mypy_cache=tmp_path_factory.getbasetemp() / "mypy-cache")
    dockerfile = (app_dir / "Dockerfile").read_text()

    project.run("uv", "lock", "--quiet")
    installs = builder_uv_commands(dockerfile)
    assert len(installs) == 2, f"expected the dependencies-only sync, then the project's: {installs}"
    for install in installs:
        project.run(*install, "--quiet")
    venv_bin = app_dir / ".venv" / "bin"
    assert (venv_bin / "uvicorn").is_file()
    assert not (venv_bin / "pytest").exists(), "--no-dev installed the dev group"

    env = image_env(dockerfile)
    env["PATH"] = env["PATH"].replace("/app/.venv/bin", str(venv_bin)).replace("$PATH", os.environ["PATH"])
    if stack.database == "sqlite":
        # The image's own URL, with its /app/data moved under this test's WORKDIR.
        (app_dir / "data").mkdir()
        env["DATABASE_URL"] = env["DATABASE_URL"].replace("/app/data", str(app_dir / "data"))
    else:
        assert "DATABASE_URL" not in env, "a server URL must come from `docker run -e`, not the image"
        env["DATABASE_URL"] = project.database_url("kit")
    env["SECRET_KEY"] = secrets.token_hex(32)  # as `docker run -e` gives it: production refuses to start without
    project.run(str(venv_bin / MIGRATE[stack.migration_tool][0]), *MIGRATE[stack.migration_tool][1:], **env)

    port = free_port()
    command = json.loads(dockerfile_instruction(dockerfile, "CMD"))
    assert command[0] == "uvicorn", command
    command[command.index("--host") + 1] = "127.0.0.1"  # 0.0.0.0 is the container's own network
    command[command.index("--port") + 1] = str(port)
    command[0] = str(venv_bin / "uvicorn")
    log = tmp_path / "uvicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=app_dir,
            env=project.env(**env),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/health/ready", process, log) == 200, log.read_text()[-4000:]
        # The image's HEALTHCHECK command, pointed at this port: it must pass against a live service.
        healthcheck = json.loads(dockerfile_instruction(dockerfile, "HEALTHCHECK").split(" CMD ", 1)[1])
        healthcheck = [arg.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for arg in healthcheck]
        project.run(str(venv_bin / healthcheck[0]), *healthcheck[1:], **env)
        # The image's stop (docker stop, Kubernetes): SIGTERM starts the production drain; the service
        # still answers, no longer ready and closing connections, then stops cleanly.
        process.send_signal(signal.SIGTERM)
        draining = wait_for_draining(f"http://127.0.0.1:{port}/health/ready", log)
        assert draining.headers["Connection"] == "close", dict(draining.headers)
        assert process.wait(timeout=60) in (0, -signal.SIGTERM), log.read_text()[-4000:]
        assert "SIGTERM received: draining for 5 s" in log.read_text(), log.read_text()[-4000:]
        assert "Finished server process" in log.read_text(), log.read_text()[-4000:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for_draining(url: str, log: Path) -> urllib.error.HTTPError:
    """The first 503 "draining" answer of /health/ready (the signal reaches the app asynchronously)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
        except urllib.error.HTTPError as error:
            if error.code == 503 and json.loads(error.read())["status"] == "draining":
                return error
        time.sleep(0.05)
    pytest.fail(f"/health/ready never answered 503 draining after SIGTERM:\n{log.read_text()[-4000:]}")
