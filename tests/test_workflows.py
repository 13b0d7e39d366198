"""The template's GitHub Actions workflows: derived from copier.yml, lint-clean, and runnable.

`act` in host mode (no Docker) runs the matrix job and a stack job per database engine
on this machine, with every `uses:` action replaced by a no-op and the local servers
standing in for the service containers that host mode does not start.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import services
from tests.act import act_command, run_act, tool
from tests.conftest import REQUIRE_SERVICES
from tests.stacks import TEMPLATE_ROOT, copier_config, valid_stacks

WORKFLOWS = TEMPLATE_ROOT / ".github" / "workflows"
# One stack per engine, spread over ORMs, modes and caches.
ACT_STACKS = ("async-sqlalchemy-sqlite", "sync-sqlmodel-postgresql", "async-tortoise-mysql-redis")


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def test_generator_prints_every_valid_stack_on_oldest_and_newest_python() -> None:
    output = subprocess.run(
        [sys.executable, "-m", "tests.matrix"], cwd=TEMPLATE_ROOT, capture_output=True, text=True, check=True
    ).stdout
    choices = [str(choice) for choice in copier_config()["python_version"]["choices"]]
    versions = {
        min(choices, key=lambda v: tuple(map(int, v.split(".")))),
        max(choices, key=lambda v: tuple(map(int, v.split(".")))),
    }
    entries = json.loads(output)["include"]
    assert sorted((entry["stack"], entry["python"]) for entry in entries) == sorted(
        (stack.id, python) for stack in valid_stacks() for python in versions
    )
    for entry in entries:
        stack = next(stack for stack in valid_stacks() if stack.id == entry["stack"])
        expected = {stack.database} - {"sqlite"} | ({"redis"} if stack.cache == "redis" else set())
        assert set(entry["services"]) == expected, entry


def test_ci_takes_its_stack_matrix_from_the_generator() -> None:
    jobs = workflow("ci.yml")["jobs"]
    generate = next(step for step in jobs["matrix"]["steps"] if step.get("id") == "generate")
    assert "python -m tests.matrix" in generate["run"]
    assert jobs["matrix"]["outputs"]["stacks"] == "${{ steps.generate.outputs.stacks }}"
    assert jobs["stack"]["strategy"]["matrix"] == "${{ fromJSON(needs.matrix.outputs.stacks) }}"
    assert any("scripts/test --stack" in step.get("run", "") for step in jobs["stack"]["steps"])
    # No hand-written stack list anywhere in the workflows.
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        listed = [stack.id for stack in valid_stacks() if re.search(rf"\b{re.escape(stack.id)}\b", text)]
        assert not listed, f"{path.name} names stacks by hand: {listed}"


def test_actionlint_is_clean() -> None:
    result = subprocess.run([tool("actionlint"), "-no-color"], cwd=TEMPLATE_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_is_clean() -> None:
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", str(WORKFLOWS)],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def pinned_actions(text: str) -> set[tuple[str, str, str]]:
    """(action, commit, tag comment) of every `uses:` line; a line that is not SHA-pinned fails."""
    lines = re.findall(r"uses: (\S+)(.*)", text)
    pins = {re.fullmatch(r"([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v[\d.]+)", uses + rest) for uses, rest in lines}
    assert None not in pins, f"an action not pinned as `owner/name@<40-hex SHA> # vX.Y.Z`: {lines}"
    return {pin.groups() for pin in pins if pin}


def test_generated_workflow_pins_the_actions_this_repository_checked() -> None:
    """The generated projects' workflow uses the same verified commits as the template's own CI."""
    generated = pinned_actions((TEMPLATE_ROOT / "template" / ".github" / "workflows" / "ci.yml.jinja").read_text())
    checked = set().union(*(pinned_actions(path.read_text()) for path in WORKFLOWS.glob("*.yml")))
    assert generated, "the generated workflow uses no action"
    assert generated <= checked, f"pins the template's CI does not use: {generated - checked}"


def template_act(tmp_path: Path, workflow_file: str, job: str) -> list[str]:
    return act_command(TEMPLATE_ROOT, workflow_file, job, tmp_path)


@pytest.mark.act
def test_act_runs_the_matrix_job_and_one_stack_job_per_engine(tmp_path, available_servers) -> None:  # type: ignore[no-untyped-def]
    problems = [problem for server in ("postgresql", "mysql", "redis") if (problem := available_servers[server])]
    if problems:
        if REQUIRE_SERVICES:
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))
    command = [*template_act(tmp_path, "ci.yml", "stack"), "--matrix", "python:3.11"]
    for stack in ACT_STACKS:
        command += ["--matrix", f"stack:{stack}"]
    for name, value in (
        ("PG_ADMIN_URL", services.PG_ADMIN_URL),
        ("MYSQL_ADMIN_URL", services.MYSQL_ADMIN_URL),
        ("REDIS_URL", services.REDIS_URL),
    ):
        command += ["--env", f"{name}={value}"]
    log = run_act(command, TEMPLATE_ROOT)
    assert "[ci/matrix] 🏁  Job succeeded" in log, log[-4000:]
    for stack in ACT_STACKS:
        # act numbers the jobs of one matrix and pads the names: "[ci/NAME-2  ]".
        assert re.search(rf"\[ci/{re.escape(stack)} \(Python 3\.11\)(-\d+)? *\] 🏁  Job succeeded", log), log[-8000:]
        assert re.search(rf"{re.escape(stack)} +passed", log), f"{stack}: no passing matrix line\n{log[-8000:]}"
    assert log.count("🏁  Job succeeded") == 1 + len(ACT_STACKS), "act ran other jobs than the matrix and three stacks"
    # `scripts/test --stack` used the servers it was given: it started (and stopped) none.
    assert log.count("servers given by the environment: using them") == len(ACT_STACKS), log[-8000:]
    assert "scripts/services" not in log and "already running" not in log, log[-8000:]


@pytest.mark.act
def test_act_builds_the_docs_site(tmp_path: Path) -> None:
    log = run_act(template_act(tmp_path, "docs.yml", "build"), TEMPLATE_ROOT)
    assert "Success - Main uv run mkdocs build --strict" in log, log[-4000:]
    assert "[docs/build] 🏁  Job succeeded" in log, log[-4000:]
