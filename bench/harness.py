"""Benchmark a rendered stack against the raw baseline (bench/baseline.py), side by side.

Render -> `uv sync` -> migrate a fresh PostgreSQL database -> seed it -> serve the
generated service and the baseline with uvicorn (one worker each, both pinned to the
first core) -> load each with wrk from the last core, operation by operation,
alternating which app goes first, for several rounds. The figure is the ratio
generated / baseline of req/s in the same round (the median over the rounds): absolute
numbers move with whatever else the machine is doing, the ratio much less.

    scripts/bench [--orm sqlalchemy] [--concurrency async] [--cache none] [--quick]
"""

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.seed import drop_created_tags, seed
from tests import services
from tests.stacks import Stack
from tests.template_snapshot import snapshot

ROOT = Path(__file__).resolve().parent.parent
LOAD_SCRIPT = ROOT / "bench" / "load.lua"
OPERATIONS = ("get_post", "list_posts", "create")
APPS = ("generated", "baseline")
PORTS: dict[str, int] = {}  # free ports, chosen when the run starts
WRITER: dict[str, str] = {}  # "token": the access token creates send (see `writer_token`)
# Empty database -> head, per migration tool (run with the project's own environment).
UPGRADE = {"alembic": ["alembic", "upgrade", "head"], "tortoise": ["tortoise", "migrate"]}
USERS, POSTS, TAGS = 1_000, 10_000, 200
# Lists read pages at random offsets among the first 50 (1,000 posts): deep OFFSETs cost
# PostgreSQL milliseconds per request, which would measure the database, not the service.
LIST_PAGES = 50


@dataclass
class Load:
    """One wrk run: what the harness reads from load.lua's `BENCH {...}` line."""

    requests: int
    duration_us: int
    connect: int
    read: int
    write: int
    timeout: int
    non2xx: int
    p50_us: int
    p99_us: int
    max_us: int

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1e6)

    @property
    def socket_errors(self) -> int:
        return self.connect + self.read + self.write + self.timeout


@dataclass
class Summary:
    rps: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int
    requests: int


@dataclass
class Result:
    stack: str
    settings: dict[str, object]
    rounds: list[dict[str, dict[str, Load]]] = field(default_factory=list)
    # Failed requests while warming up (pools filling): reported, not counted in the figures.
    warmup_errors: dict[str, int] = field(default_factory=dict)

    def summary(self, app: str, op: str) -> Summary:
        loads = [r[op][app] for r in self.rounds]
        return Summary(
            rps=statistics.median(load.rps for load in loads),
            p50_ms=statistics.median(load.p50_us for load in loads) / 1000,
            p99_ms=statistics.median(load.p99_us for load in loads) / 1000,
            non2xx=sum(load.non2xx for load in loads),
            socket_errors=sum(load.socket_errors for load in loads),
            requests=sum(load.requests for load in loads),
        )

    def ratio(self, op: str) -> float:
        """Median over the rounds of generated / baseline req/s measured in the same round."""
        return statistics.median(r[op]["generated"].rps / r[op]["baseline"].rps for r in self.rounds)

    def round_ratios(self, op: str) -> list[float]:
        return [round(r[op]["generated"].rps / r[op]["baseline"].rps, 3) for r in self.rounds]

    @property
    def errors(self) -> int:
        summaries = [self.summary(app, op) for app in APPS for op in OPERATIONS]
        return sum(s.non2xx + s.socket_errors for s in summaries)


# --- setting up ------------------------------------------------------------------


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def ensure_wrk() -> str:
    if path := shutil.which("wrk"):
        return path
    if os.geteuid() != 0:
        sys.exit("bench: wrk is missing; run: sudo apt-get install -y wrk")
    log("installing wrk ...")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or sys.exit("bench: wrk still missing after apt-get install")


def pinning() -> tuple[list[str], list[str]]:
    """taskset prefixes: servers on the first core, wrk on the last (none if not possible)."""
    cores = os.cpu_count() or 1
    if cores < 2 or not shutil.which("taskset"):
        log("not pinning processes (needs taskset and 2+ cores)")
        return [], []
    return ["taskset", "-c", "0"], ["taskset", "-c", str(cores - 1)]


def project_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "DATABASE_URL", "PYTHONDONTWRITEBYTECODE"}}
    env.update(UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1", **extra)
    return env


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"bench: `{' '.join(command)}` failed:\n{(result.stdout + result.stderr)[-4000:]}")


def render(stack: Stack, destination: Path, ref: str = "HEAD") -> None:
    """Render this checkout (HEAD includes uncommitted changes) or any other git ref of it."""
    from copier import run_copy  # imported late: it is slow to import and only needed here

    data = {"concurrency": stack.concurrency, "orm": stack.orm, "database": stack.database, "cache": stack.cache}
    if ref != "HEAD":
        run_copy(str(ROOT), destination, data=data, defaults=True, vcs_ref=ref, quiet=True, unsafe=True)
        return
    # The working tree: only its template parts (a stray folder in the checkout would break the copy).
    with tempfile.TemporaryDirectory(prefix="bench-template-") as directory:
        source = snapshot(Path(directory) / "template", ROOT)
        run_copy(str(source), destination, data=data, defaults=True, vcs_ref="HEAD", quiet=True, unsafe=True)


def describe(ref: str) -> str:
    """The commit benchmarked, e.g. `4ef30fc` or `4ef30fc+dirty`."""
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", ref], capture_output=True, text=True, check=False)
    if commit.returncode != 0:
        return ref
    dirty = ref == "HEAD" and subprocess.run([*git, "diff", "--quiet", "HEAD"], check=False).returncode != 0
    return commit.stdout.strip() + ("+dirty" if dirty else "")


def database_urls(project: Path, name: str) -> tuple[str, str]:
    """(URL with the project's driver, plain postgresql:// URL) of a fresh database."""
    example = (project / ".env.example").read_text()
    url = next(line.split("=", 1)[1] for line in example.splitlines() if line.startswith("DATABASE_URL="))
    location = services.fresh_database("postgresql", name)
    credentials = f"{services.APP_USER}:{services.APP_PASSWORD}@{location}"
    return f"{url.split('://', 1)[0]}://{credentials}", f"postgresql://{credentials}"


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now (held open together, so they differ)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def drop_database(name: str) -> None:
    try:
        with psycopg.connect(services.PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error as error:  # cleanup only: never hide why the run stopped
        log(f"could not drop database {name}: {error}")


def wait_until_up(process: subprocess.Popen[bytes], url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"bench: server for {url} exited with {process.returncode} (its output: *.log in the project)")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    sys.exit(f"bench: {url} not answering after {timeout}s")


def call(url: str, body: dict[str, object] | None = None, headers: dict[str, str] | None = None) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def writer_token(url: str) -> str:
    """An access token of a new user of the generated service: creating a tag needs one.

    Empty for a version of the template without logins (`--ref` of an older release).
    """
    password = secrets.token_urlsafe(16)
    user = {"username": "bench-writer", "email": "bench-writer@example.com", "password": password}
    status, body = call(f"{url}/users", user)
    if status != 201:
        sys.exit(f"bench: POST /users answered {status} {body}")
    form = urllib.parse.urlencode({"username": "bench-writer", "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{url}/auth/token", data=form), timeout=10) as response:
            return str(json.loads(response.read())["access_token"])
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return ""
        sys.exit(f"bench: POST /auth/token answered {error.code} {error.read()!r}")


def _sorted_tags(document: object) -> object:
    """Tag order is unspecified (neither side sorts): compare tag lists as sets."""
    if isinstance(document, dict):
        return {k: sorted(v, key=lambda t: t["id"]) if k == "tags" else _sorted_tags(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_sorted_tags(item) for item in document]
    return document


def check_same_answers(token: str) -> None:
    """Both apps must answer the benchmark's requests identically, or the ratio means nothing.

    Creates send `token` (the generated service's writer, see `writer_token`); the baseline ignores it.
    """
    base = {app: f"http://127.0.0.1:{port}" for app, port in PORTS.items()}
    for path in ("/posts/1", f"/posts/{POSTS}", "/posts?limit=20&offset=0", f"/posts?limit=20&offset={POSTS - 20}"):
        answers = {app: call(url + path) for app, url in base.items()}
        generated, baseline = (_sorted_tags(answers[app]) for app in APPS)
        if generated != baseline:
            sys.exit(f"bench: GET {path} differs:\n generated {answers['generated']}\n baseline  {answers['baseline']}")
    for app, url in base.items():
        status, body = call(url + "/tags", {"name": f"  Check-{app} "}, bearer(token))
        if status != 201 or not isinstance(body, dict) or set(body) != {"id", "name"} or body["name"] != f"check-{app}":
            sys.exit(f"bench: POST /tags on {app} answered {status} {body}")


# --- loading ----------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def load(wrk: list[str], app: str, op: str, seconds: float, connections: int, prefix: str) -> Load:
    env = {**os.environ, "BENCH_OP": op, "BENCH_POSTS": str(POSTS), "BENCH_PAGES": str(LIST_PAGES)}
    env.update(BENCH_PREFIX=prefix, BENCH_TOKEN=WRITER["token"])
    command = [*wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LOAD_SCRIPT)]
    result = subprocess.run(
        [*command, f"http://127.0.0.1:{PORTS[app]}"], env=env, capture_output=True, text=True, check=False
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH ")), None)
    if result.returncode != 0 or line is None:
        sys.exit(f"bench: wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return Load(**json.loads(line.removeprefix("BENCH ")))


def measure(args: argparse.Namespace, result: Result, wrk: list[str], database_url: str) -> None:
    def load_all(op: str, apps: tuple[str, ...], seconds: float, prefix: str) -> dict[str, Load]:
        loads = {app: load(wrk, app, op, seconds, args.connections, f"{prefix}-{app}") for app in apps}
        if op == "create":
            drop_created_tags(database_url, tags=TAGS)
        return loads

    if args.warmup:
        for op in OPERATIONS:
            for app, warmup in load_all(op, APPS, args.warmup, "w").items():
                if failed := warmup.non2xx + warmup.socket_errors:
                    result.warmup_errors[f"{op}/{app}"] = failed
    for number in range(1, args.rounds + 1):
        this_round: dict[str, dict[str, Load]] = {}
        # Alternate who goes first, so neither app always runs on a warmer database.
        apps = APPS if number % 2 else APPS[::-1]
        for op in OPERATIONS:
            this_round[op] = load_all(op, apps, args.duration, f"r{number}")
        result.rounds.append(this_round)
        log(f"round {number}: " + "  ".join(f"{op} {result.round_ratios(op)[-1]:.3f}x" for op in OPERATIONS))


# --- reporting --------------------------------------------------------------------


def markdown(result: Result) -> str:
    lines = [
        f"# Benchmark: {result.stack}",
        "",
        "settings: " + ", ".join(f"{k}={v}" for k, v in result.settings.items()),
        "",
        "| operation | app | req/s | p50 ms | p99 ms | non-2xx | socket errors | ratio (rounds) |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for op in OPERATIONS:
        for app in APPS:
            s = result.summary(app, op)
            rounds = ", ".join(map(str, result.round_ratios(op)))
            ratio = f"**{result.ratio(op):.3f}x** ({rounds})" if app == APPS[0] else ""
            figures = f"{s.rps:,.0f} | {s.p50_ms:.2f} | {s.p99_ms:.2f} | {s.non2xx} | {s.socket_errors}"
            lines.append(f"| {op} | {app} | {figures} | {ratio} |")
    if result.warmup_errors:
        lines += ["", f"Failed requests during the warm-up (not measured): {result.warmup_errors}"]
    return "\n".join(lines) + "\n"


def write_results(result: Result, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{result.stack}-{result.settings['template']}"
    document = {
        "stack": result.stack,
        "settings": result.settings,
        "summary": {
            op: {"ratio": result.ratio(op), **{app: asdict(result.summary(app, op)) for app in APPS}}
            for op in OPERATIONS
        },
        "rounds": [{op: {app: asdict(load) for app, load in r[op].items()} for op in r} for r in result.rounds],
        "errors": result.errors,
        "warmup_errors": result.warmup_errors,
    }
    stem.with_suffix(".json").write_text(json.dumps(document, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(result))
    return stem.with_suffix(".json")


# --- main -------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orm", default="sqlalchemy")
    parser.add_argument("--concurrency", default="async", choices=["async", "sync"])
    parser.add_argument("--cache", default="none")
    parser.add_argument("--quick", action="store_true", help="one short round (< 1 minute), to check the harness")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per operation, app and round")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load per operation and app before round 1")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (-c)")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "bench-results")
    parser.add_argument("--ref", default="HEAD", help="git ref of the template to render (default: the working tree)")
    parser.add_argument("--project", type=Path, help="render into this directory and keep it (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration, args.warmup = 1, 3, 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stack = Stack(concurrency=args.concurrency, orm=args.orm, database="postgresql", cache=args.cache)
    wrk_path = ensure_wrk()
    pin_server, pin_wrk = pinning()
    services.check("postgresql")
    keep = args.project is not None
    project = args.project or Path(tempfile.mkdtemp(prefix="bench-"))
    servers: list[subprocess.Popen[bytes]] = []
    database = re.sub(r"[^a-z0-9_]", "_", f"bench_{os.getpid()}_{stack.id}")
    try:
        log(f"rendering {stack.id} into {project}")
        started = time.monotonic()
        render(stack, project, args.ref)
        run(["uv", "sync", "-q"], project, project_env())
        driver_url, plain_url = database_urls(project, database)
        upgrade = UPGRADE[stack.migration_tool]
        run([str(project / ".venv" / "bin" / upgrade[0]), *upgrade[1:]], project, project_env(DATABASE_URL=driver_url))
        seed(plain_url, users=USERS, posts=POSTS, tags=TAGS)
        log(f"ready to serve after {time.monotonic() - started:.1f}s (render, install, migrate, seed)")

        PORTS.update(zip(APPS, free_ports(len(APPS)), strict=True))
        uvicorn = ["-m", "uvicorn", "--host", "127.0.0.1"]
        commands = {
            # As its image runs it: a line per request is part of what a service costs (uvicorn's
            # access line, or from the release that added it, the service's own request line).
            "generated": [str(project / ".venv" / "bin" / "python"), *uvicorn, "app.main:app"],
            "baseline": [sys.executable, *uvicorn, "--no-access-log", "--log-level", "warning", "bench.baseline:app"],
        }
        for app in APPS:
            env = project_env(DATABASE_URL=driver_url, BENCH_DATABASE_URL=plain_url, ENVIRONMENT="production")
            # Production needs a key; the write limit stays on (its cost is measured) but is never reached.
            # The writer's access token must outlive the run.
            env.update(SECRET_KEY=secrets.token_hex(32), RATE_LIMIT_WRITES="1000000000/minute")
            env.update(ACCESS_TOKEN_MINUTES=str(24 * 60))
            cwd = project if app == "generated" else ROOT
            command = [*pin_server, *commands[app], "--port", str(PORTS[app])]
            # Their lines are written (and cost what writing them costs) to the rendered project, kept with --project.
            output = (project / f"{app}.log").open("w")
            servers.append(subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT))
        for app, server in zip(APPS, servers, strict=True):
            wait_until_up(server, f"http://127.0.0.1:{PORTS[app]}/posts/1")
        WRITER["token"] = writer_token(f"http://127.0.0.1:{PORTS['generated']}")
        check_same_answers(WRITER["token"])

        settings = {
            "template": describe(args.ref),
            "rounds": args.rounds,
            "duration_s": args.duration,
            "connections": args.connections,
            "pinned": bool(pin_server),
            "users": USERS,
            "posts": POSTS,
            "list_pages": LIST_PAGES,
            "load_avg_before": os.getloadavg()[0],
        }
        result = Result(stack=stack.id, settings=settings)
        measure(args, result, [*pin_wrk, wrk_path], plain_url)
        result.settings["load_avg_after"] = os.getloadavg()[0]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if not keep:
            shutil.rmtree(project, ignore_errors=True)
            drop_database(database)

    path = write_results(result, args.results_dir)
    print(markdown(result))
    print(f"results: {path} (+ .md)")
    if result.warmup_errors:
        print(f"warm-up (not measured) had failed requests: {result.warmup_errors}")
    if result.errors:
        print(f"FAILED: {result.errors} non-2xx answers or socket errors")
    print("ratios: " + " ".join(f"{op}={result.ratio(op):.3f}" for op in OPERATIONS))
    return 1 if result.errors else 0
