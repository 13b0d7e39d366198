"""GitHub Actions workflows run on this machine by `act` in host mode (no Docker needed).

Host mode (`-P ubuntu-latest=-self-hosted`) runs each step's shell commands here, in a copy
of the repository; `services:` containers are not started, so the callers point the jobs at
the local servers. Every `uses:` action is replaced by a no-op: the machine already has uv
and Python, which is all the actions of these workflows install.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ACT_TIMEOUT = 900
# The name of the no-op action's only step, which act logs like a step of the job.
NO_OP_STEP = "no-op"


def tool(name: str) -> str:
    """A dev-dependency executable of this repository's environment."""
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert path, f"{name} is not installed: uv sync (it is a dev dependency)"
    return path


def used_actions(workflows: Path) -> set[str]:
    """Every `owner/name@ref` a step of the workflows in `workflows` uses."""
    found = set()
    for path in workflows.glob("*.yml"):
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            found |= {step["uses"] for step in job.get("steps", []) if "uses" in step}
    return found


def no_op_action(directory: Path) -> Path:
    """A composite action with one step that does nothing (act's post phase fails on an empty `steps:`)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "action.yml").write_text(
        "name: no-op\ndescription: stands in for a real action under act\n"
        f"runs:\n  using: composite\n  steps:\n    - name: {NO_OP_STEP}\n      run: 'true'\n      shell: bash\n"
    )
    return directory


def act_command(repository: Path, workflow_file: str, job: str, stub_dir: Path) -> list[str]:
    """`act push` of one job of `repository`'s workflow, every action of its workflows a no-op."""
    stub = no_op_action(stub_dir / "no-op-action")
    command = [tool("act"), "push", "--workflows", f".github/workflows/{workflow_file}", "--job", job]
    command += ["-P", "ubuntu-latest=-self-hosted"]
    for action in sorted(used_actions(repository / ".github" / "workflows")):
        command += ["--local-repository", f"{action}={stub}"]
    return command


def run_act(command: list[str], repository: Path, env: dict[str, str] | None = None) -> str:
    """Run act in `repository` and return its log; fail with the log's end if a job failed."""
    env = {key: value for key, value in (env or os.environ).items() if key != "VIRTUAL_ENV"}
    result = subprocess.run(command, cwd=repository, env=env, capture_output=True, text=True, timeout=ACT_TIMEOUT)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-8000:]
    return log


def succeeded_steps(log: str) -> list[str]:
    """The labels of the job's main steps that act reports as succeeded, in the order they ran."""
    labels = re.findall(r"✅  Success - Main (.+?) \[[^\]]*\]$", log, re.MULTILINE)
    return [label for label in labels if label != NO_OP_STEP]


def step_label(step: dict[str, str]) -> str:
    """How act names a step in its log: its name, else its `uses:`, else its command."""
    return step.get("name") or step.get("uses") or step["run"].strip()
