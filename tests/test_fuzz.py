"""Schemathesis against a served stack on a real database: the OpenAPI document is the contract.

Every answer must be a status the operation documents, with a body matching its schema, and no
input may produce a 5xx (`--checks all`). Seeded and bounded, so a run is reproducible and cheap.
A representative subset of stacks is fuzzed: each ORM x mode once (Tortoise is async only), PostgreSQL and MariaDB both,
one with Redis, plus the SQLite default; the code under test is shared by every engine. With
RELIABILITY_STACK set (the template's CI, one job per stack), that stack is fuzzed instead.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests import services
from tests.conftest import require_server
from tests.served import installed_project, migrate, serve
from tests.stacks import Stack, reliability_stack, valid_stacks

FUZZED = (
    "async-sqlalchemy-postgresql",
    "sync-sqlalchemy-mysql",
    "async-sqlmodel-mysql",
    "sync-sqlmodel-postgresql-redis",
    "async-tortoise-mysql",
    "async-sqlalchemy-sqlite",
)
STACKS = {stack.id: stack for stack in valid_stacks()}
if (chosen := reliability_stack()) is not None:
    FUZZED = (chosen.id,)
SEED = 20261203
MAX_EXAMPLES = 20


ROOT = Path(__file__).resolve().parent.parent


def run_schemathesis(url: str, report: Path) -> subprocess.CompletedProcess[str]:
    st = ROOT / ".venv" / "bin" / "st"
    command = [str(st), "run", f"{url}/openapi.json", "--checks", "all", "--seed", str(SEED)]
    command += ["--max-examples", str(MAX_EXAMPLES), "--workers", "1", "--request-timeout", "10"]
    command += ["--generation-deterministic", "--report", "ndjson", "--report-ndjson-path", str(report)]
    # Operations that need a token get one of a user signed up for it (tests/fuzz_auth.py).
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz_auth", "PYTHONPATH": str(ROOT), "FUZZ_BASE_URL": url}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=ROOT, env=env)


def statuses_seen(report: Path) -> dict[str, int]:
    seen: dict[str, int] = {}
    for line in report.read_text().splitlines():
        for status in _statuses(json.loads(line)):
            seen[status] = seen.get(status, 0) + 1
    return seen


def _statuses(node: object) -> list[str]:
    """Every `status_code` of every recorded response, wherever the event nests it."""
    if isinstance(node, dict):
        found = [str(node["status_code"])] if isinstance(node.get("status_code"), int) else []
        return found + [status for value in node.values() for status in _statuses(value)]
    if isinstance(node, list):
        return [status for value in node for status in _statuses(value)]
    return []


@pytest.mark.fuzz
@pytest.mark.xdist_group("fuzz")
@pytest.mark.parametrize("stack", [STACKS[stack_id] for stack_id in FUZZED], ids=FUZZED)
def test_schemathesis_finds_nothing(
    stack: Stack, copie_session, tmp_path_factory, available_servers, record_property
) -> None:  # type: ignore[no-untyped-def]
    require_server(stack, available_servers)
    project = installed_project(copie_session, stack, tmp_path_factory)
    url = project.database_url("fuzz")
    migrate(project, url)
    # Every request comes from one address: limits it never reaches, so each operation is fuzzed rather
    # than refused (429 is documented wherever it can occur; the static test below checks that).
    env = {"DATABASE_URL": url, "RATE_LIMIT_WRITES": "1000000/minute", "RATE_LIMIT_SIGNUP": "1000000/minute"}
    env |= {"RATE_LIMIT_LOGIN": "1000000/minute", "ACCESS_TOKEN_MINUTES": "120"}
    if stack.cache == "redis":
        env["REDIS_URL"] = services.REDIS_URL
    report = project.path / "schemathesis.ndjson"
    with serve(project, **env) as served:
        result = run_schemathesis(served.url, report)
    seen = statuses_seen(report)
    record_property("statuses", seen)
    print(f"{stack.id}: statuses {dict(sorted(seen.items()))}")
    summary = result.stdout[-15000:]
    assert result.returncode == 0, f"schemathesis found problems on {stack.id}:\n{summary}\n{served.log[-3000:]}"
    assert sum(seen.values()) > 0, f"schemathesis sent no request to {stack.id}:\n{summary}"
    assert not any(status.startswith("5") for status in seen if status != "503"), seen
    assert "Traceback" not in served.log, served.log[-4000:]


# Writes anyone may send: signing up, and the refresh-token operations (the token is in the body).
PUBLIC_WRITES = {("post", "/users"), ("post", "/auth/logout")}


@pytest.mark.fuzz
@pytest.mark.xdist_group("fuzz")
def test_openapi_declares_every_status_a_route_returns(copie_session, tmp_path_factory, available_servers) -> None:  # type: ignore[no-untyped-def]
    """Cheap, static: each operation lists the errors its code can raise."""
    stack = STACKS["async-sqlalchemy-sqlite"]
    project = installed_project(copie_session, stack, tmp_path_factory)
    dump = "import json; from app.main import app; print(json.dumps(app.openapi()))"
    document = json.loads(project.tool("python", "-c", dump).stdout)
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            expected = {"503"} if path != "/health/live" else set()
            if "{" in path:
                expected |= {"404", "422"}
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if method in {"post", "patch"} and path.split("/")[1] in {"users", "posts", "tags"}:
                expected.add("409")
            if method in {"post", "patch", "delete"} and path.split("/")[1] in {"users", "posts", "tags", "auth"}:
                expected.add("429")  # RATE_LIMIT_WRITES (and RATE_LIMIT_SIGNUP, RATE_LIMIT_LOGIN)
            if (method in {"post", "patch", "delete"} and (method, path) not in PUBLIC_WRITES) or path == "/users/me":
                expected.add("401")  # a missing, invalid or revoked token; a refused login
            owned = path.startswith(("/users/{", "/posts/{"))
            if (method in {"patch", "delete"} and owned) or path.endswith("/deactivate"):
                expected.add("403")  # another user's account or post
            if not expected <= declared:
                missing.append(f"{method.upper()} {path}: missing {sorted(expected - declared)}")
    assert not missing, "\n".join(missing)
