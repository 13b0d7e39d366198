"""The rendered project's own workflow (.github/workflows/ci.yml), run by `act` on this machine.

One stack per engine, one of them with Redis: the project is locked and committed as a user
would push it, then its lint and test jobs run in act's host mode (tests/act.py), every step
as GitHub runs it. Host mode starts no service containers: the tests' servers are local
ones, named through `--var` exactly as a repository variable would name them on GitHub.
The image job needs a Docker daemon, so it only runs on GitHub.
"""

import re

import pytest
import yaml

from tests import services
from tests.act import act_command, run_act, step_label, succeeded_steps
from tests.conftest import Project, require_server
from tests.stacks import Stack, valid_stacks

WORKFLOW_STACKS = {"async-sqlalchemy-sqlite", "sync-sqlmodel-postgresql", "async-tortoise-mysql-redis"}
STACKS = [stack for stack in valid_stacks() if stack.id in WORKFLOW_STACKS]
assert len(STACKS) == len(WORKFLOW_STACKS), f"not stacks of copier.yml: {WORKFLOW_STACKS - {s.id for s in STACKS}}"
JOBS = ("lint", "test")


def commit_as_pushed(project: Project) -> None:
    """The project as its first push holds it: the lock file written by the first `uv lock`, committed."""
    project.run("uv", "lock", "--quiet")
    project.run("git", "init", "--quiet")
    project.run("git", "add", "--all")
    project.run("git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "--quiet", "-m", "Generated")


@pytest.mark.act
@pytest.mark.xdist_group("act")
@pytest.mark.parametrize("stack", STACKS, ids=lambda stack: stack.id)
def test_act_runs_the_lint_and_test_jobs(stack: Stack, copie, available_servers, tmp_path, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    require_server(stack, available_servers)
    result = copie.copy(extra_answers={"project_name": f"Workflow {stack.id}", **stack.answers})
    assert result.exit_code == 0, f"rendering {stack.id} failed: {result.exception!r}"
    project = Project(stack, result.project_dir, mypy_cache=tmp_path_factory.getbasetemp() / "mypy-cache")
    commit_as_pushed(project)
    workflow = yaml.safe_load((project.path / ".github" / "workflows" / "ci.yml").read_text())

    variables = {}
    if stack.database != "sqlite":
        variables["TEST_DATABASE_URL"] = project.database_url("workflow")
    if stack.cache == "redis":
        variables["TEST_REDIS_URL"] = services.REDIS_URL
    # What the job would use on GitHub without any repository variable: the service containers.
    assert set(workflow["jobs"]["test"].get("env", {})) == set(variables), workflow["jobs"]["test"].get("env")

    for job in JOBS:
        command = act_command(project.path, "ci.yml", job, tmp_path)
        for name, value in variables.items():
            command += ["--var", f"{name}={value}"]
        # The project's environment (no DATABASE_URL or test URLs of this suite), mypy's shared cache.
        log = run_act(command, project.path, env=project.env())
        name = workflow["jobs"][job]["name"]
        assert f"[ci/{name}] 🏁  Job succeeded" in log, log[-8000:]
        # Every step of the job ran and succeeded, in the workflow's order.
        assert succeeded_steps(log) == [step_label(step) for step in workflow["jobs"][job]["steps"]], log[-8000:]
        if job == "test":
            summary = re.findall(r"=+ (.*) in [\d.]+s", log)[-1]
            assert re.search(r"\d+ passed", summary), log[-8000:]
            assert not re.search(r"skipped|xfailed|failed|error", summary), f"not everything passed: {summary}"
