"""The benchmark harness still works: `scripts/bench --quick` on the default stack.

It asserts that the run completed and that neither app answered anything but 2xx
or dropped a connection - never a speed: figures on a shared machine are noise.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_server
from tests.stacks import Stack

ROOT = Path(__file__).resolve().parent.parent
STACK = Stack(concurrency="async", orm="sqlalchemy", database="postgresql", cache="none")


@pytest.mark.bench
@pytest.mark.xdist_group("bench")
def test_quick_benchmark_runs_without_errors(tmp_path: Path, available_servers: dict[str, str | None]) -> None:
    require_server(STACK, available_servers)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    command = [str(ROOT / "scripts" / "bench"), "--quick", "--results-dir", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    output = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, output
    assert result.stdout.splitlines()[-1].startswith("ratios: get_post="), output

    (path,) = tmp_path.glob(f"*-{STACK.id}-*.json")
    document = json.loads(path.read_text())
    assert document["errors"] == 0
    for op, figures in document["summary"].items():
        for app in ("generated", "baseline"):
            assert figures[app]["requests"] > 0, f"{app} served no {op} request"
            assert figures[app]["non2xx"] == 0 and figures[app]["socket_errors"] == 0, (op, app, figures[app])
