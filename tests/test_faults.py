"""The served app under database faults, concurrency and shutdown, on private servers.

Each scenario runs a short steady load against a rendered stack served by uvicorn while a fault is
injected into *private* servers (tests/private_servers.py), then checks what the clients saw: only
200/503 (every 503 with Retry-After), no dropped connection, no request slower than the bounds the
settings promise, and full recovery without restarting the app.

Locally the scenarios run on one representative stack per ORM x mode family (FAULT_STACKS): async
SQLAlchemy + PostgreSQL (asyncpg), sync SQLModel + MariaDB (pymysql) and async Tortoise + PostgreSQL;
the rest of the matrix shares their code paths (SQLModel runs on SQLAlchemy's db partial).
The same three with `cache: redis` (REDIS_FAULT_STACKS) have Redis stopped and frozen under reads
and writes: only 200s, no stale read after a write made while Redis was down, the cache used again
once it is back (app/core/cache.py is one file for every ORM, with a sync and an async variant).
With RELIABILITY_STACK set (the template's CI, one job per stack) they run on that stack instead:
the database scenarios on its database server, the Redis ones if it has `cache: redis`.
"""

import asyncio
import os
import time
from collections.abc import Iterator
from contextlib import aclosing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pymysql
import pytest

from tests import load
from tests.conftest import Project
from tests.private_servers import PrivateServers
from tests.served import Served, free_port, installed_project, migrate, serve
from tests.stacks import Stack, reliability_stack

pytestmark = [pytest.mark.faults, pytest.mark.xdist_group("faults")]

FAULT_STACKS = (
    Stack("async", "sqlalchemy", "postgresql", "none"),
    Stack("sync", "sqlmodel", "mysql", "none"),
    Stack("async", "tortoise", "postgresql", "none"),
)
if (chosen := reliability_stack()) is not None:
    without_cache = Stack(chosen.concurrency, chosen.orm, chosen.database, "none")
    FAULT_STACKS = () if chosen.database == "sqlite" else (without_cache,)
POOL_TIMEOUT = 2.0
BURST_CLIENT_TIMEOUT = 180.0
COMMAND_TIMEOUT = 2.0
# Scheduling noise on a shared 2-core machine, uvicorn and the client included.
MARGIN = 3.0
SETTINGS = {
    "DB_POOL_SIZE": "5",
    "DB_POOL_TIMEOUT": str(POOL_TIMEOUT),
    "DB_COMMAND_TIMEOUT": str(COMMAND_TIMEOUT),
    "RETRY_AFTER_SECONDS": "1",
    "ENVIRONMENT": "local",
    # The bursts below come from one client address: limits it can never reach, still counted.
    "RATE_LIMIT_WRITES": "1000000/minute",
    "RATE_LIMIT_SIGNUP": "1000000/minute",
}
READERS = 8


@pytest.fixture(scope="session")
def private_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateServers]:
    # Under /tmp directly: the servers run as their own users and must traverse the path.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    directory = Path(f"/tmp/cfd-faults-{os.getpid()}-{worker}")
    servers = PrivateServers(directory, {"postgresql": free_port(), "mysql": free_port(), "redis": free_port()})
    servers.start()
    try:
        yield servers
    finally:
        servers.teardown()


@pytest.fixture(scope="module", params=FAULT_STACKS, ids=lambda stack: stack.id)
def project(request: pytest.FixtureRequest, copie_session, tmp_path_factory) -> Project:  # type: ignore[no-untyped-def]
    return installed_project(copie_session, request.param, tmp_path_factory)


def fresh_database(servers: PrivateServers, project: Project, name: str) -> str:
    engine = project.stack.database
    if engine == "postgresql":
        with psycopg.connect(servers.admin_urls["postgresql"], autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}" OWNER app')
    else:
        connection = pymysql.connect(host="127.0.0.1", port=servers.ports["mysql"], user="root", password="root")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        connection.close()
    example = (project.path / ".env.example").read_text()
    scheme = next(ln.split("=", 1)[1] for ln in example.splitlines() if ln.startswith("DATABASE_URL=")).split("://")[0]
    return f"{scheme}://app:app@127.0.0.1:{servers.ports[engine]}/{name}"


def sql(servers: PrivateServers, project: Project, database: str, statement: str) -> tuple[object, ...] | None:
    """Run one statement as the admin, behind the app's back; the first row it returns, if any."""
    if project.stack.database == "postgresql":
        url = servers.admin_urls["postgresql"].rsplit("/", 1)[0] + f"/{database}"
        with psycopg.connect(url, autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchone() if cursor.description else None
    connection = pymysql.connect(
        host="127.0.0.1", port=servers.ports["mysql"], user="root", password="root", database=database, autocommit=True
    )
    with connection.cursor() as cursor:
        cursor.execute(statement)
        row = cursor.fetchone()
    connection.close()
    return row


def count_rows(servers: PrivateServers, project: Project, database: str, table: str) -> int:
    (found,) = sql(servers, project, database, f"SELECT count(*) FROM {table}") or (None,)
    return int(found)  # type: ignore[call-overload]


@contextmanager
def served_on_fresh_database(
    servers: PrivateServers, project: Project, request: pytest.FixtureRequest, **settings: str
) -> Iterator[tuple[Served, str]]:
    name = f"faults_{request.node.name.split('[')[0]}"[:60]
    url = fresh_database(servers, project, name)
    migrate(project, url)
    with serve(project, DATABASE_URL=url, **{**SETTINGS, **settings}) as app:
        yield app, name


@pytest.fixture
def served(
    private_servers: PrivateServers, project: Project, request: pytest.FixtureRequest
) -> Iterator[tuple[Served, str]]:
    """The stack served on a fresh database; a test's `settings` marker adds to SETTINGS."""
    marker = request.node.get_closest_marker("settings")
    with served_on_fresh_database(private_servers, project, request, **(marker.kwargs if marker else {})) as served:
        yield served


def new_user(n: int | str) -> dict[str, object]:
    return {"username": f"user{n}", "email": f"user{n}@example.com", "password": "correct horse battery staple"}


async def log_in(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    """The Authorization header of a user `new_user` made (posts and changes of an account need one)."""
    form = {"username": username, "password": new_user(username)["password"]}
    response = await client.post("/auth/token", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def seeded_reader(
    base_url: str, connections: int = 64, timeout: float = load.CLIENT_TIMEOUT
) -> tuple[httpx.AsyncClient, str]:
    client = load.client(base_url, connections, timeout)
    created = await client.post("/users", json=new_user("seed"))
    assert created.status_code == 201, created.text
    return client, f"/users/{created.json()['id']}"


def assert_only_200_or_503(record: load.Record, bound: float) -> None:
    summary = record.summary()
    assert set(record.statuses) <= {200, 503}, summary
    assert all(o.retry_after for o in record.outcomes if o.status == 503), f"503 without Retry-After: {summary}"
    assert record.worst_latency <= bound, summary


async def run_fault(app: Served, inject, recover, during: float = 3.0) -> load.Record:  # type: ignore[no-untyped-def]
    """Steady reads; inject the fault after 1 s, recover after `during` s, then 3 s more of reads."""
    client, path = await seeded_reader(app.url)
    record = load.Record()
    done = asyncio.Event()

    async def read(c: httpx.AsyncClient, r: load.Record) -> None:
        await load.timed(r, c, "GET", path)

    async def script() -> float:
        await asyncio.sleep(1.0)
        await asyncio.to_thread(inject)
        await asyncio.sleep(during)
        await asyncio.to_thread(recover)
        recovered = time.monotonic()
        await asyncio.sleep(3.0)
        done.set()
        return recovered

    async with aclosing(client):
        _, recovered = await asyncio.gather(load.steady(client, record, read, READERS, done), script())
    record.recovered_at = recovered  # type: ignore[attr-defined]
    return record


def check_outage(record: load.Record, stack: Stack) -> None:
    print(f"{stack.id}: {record.summary()}")
    assert_only_200_or_503(record, POOL_TIMEOUT + COMMAND_TIMEOUT + MARGIN)
    # Recovered without an app restart: the last second of reads all succeed.
    tail = record.after(record.recovered_at + 2.0)  # type: ignore[attr-defined]
    assert tail.outcomes and set(tail.statuses) == {200}, f"no recovery: {tail.summary()}"


@pytest.mark.parametrize("fault", ["stop", "kill", "freeze"])
def test_database_fault_under_load(  # type: ignore[no-untyped-def]
    fault: str, served, private_servers: PrivateServers, project: Project
) -> None:
    app, _ = served
    engine = project.stack.database
    inject, recover = {
        "stop": (lambda: private_servers.stop(engine), lambda: private_servers.restart(engine)),
        "kill": (lambda: private_servers.kill(engine), lambda: private_servers.restart(engine)),
        "freeze": (lambda: private_servers.freeze(engine), lambda: private_servers.thaw(engine)),
    }[fault]
    record = asyncio.run(run_fault(app, inject, recover, during=COMMAND_TIMEOUT + 2.0))
    check_outage(record, project.stack)
    if fault == "freeze":
        assert 503 in record.statuses, f"a frozen database never answered 503: {record.summary()}"


def test_client_hangups_never_poison_the_pool(served, project: Project) -> None:  # type: ignore[no-untyped-def]
    app, _ = served

    async def scenario() -> load.Record:
        client, path = await seeded_reader(app.url)
        async with aclosing(client):
            # Clients that give up mid-request: the server sees the disconnect while the query runs.
            for _ in range(3):
                async with load.client(app.url) as impatient:
                    tasks = [asyncio.create_task(impatient.get("/users?search=user&limit=100")) for _ in range(40)]
                    tasks += [
                        asyncio.create_task(impatient.post("/users", json=new_user(f"h{i}-{time.monotonic_ns()}")))
                        for i in range(10)
                    ]
                    await asyncio.sleep(0.02)
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(0.5)
            record = load.Record()
            done = asyncio.Event()

            async def read(c: httpx.AsyncClient, r: load.Record) -> None:
                await load.timed(r, c, "GET", path)

            async def stop_later() -> None:
                await asyncio.sleep(2.0)
                done.set()

            await asyncio.gather(load.steady(client, record, read, READERS, done), stop_later())
            return record

    record = asyncio.run(scenario())
    print(f"{project.stack.id}: {record.summary()}")
    assert record.outcomes and set(record.statuses) == {200}, record.summary()
    assert "Exception in ASGI application" not in app.log, app.log[-3000:]


# One hash at a time leaves the event loop most of a 2-core machine that also runs the matrix, and
# 10 s bounds keep a starved loop from timing out its own queries: what is left to fail is the defect
# this test guards. Had a create held its connection while it hashed, 100 hashes in a row would keep
# the last of them waiting for a connection far longer than 10 s.
@pytest.mark.settings(PASSWORD_HASH_CONCURRENCY="1", DB_POOL_TIMEOUT="10", DB_COMMAND_TIMEOUT="10")
def test_colliding_creates(served, private_servers: PrivateServers, project: Project) -> None:  # type: ignore[no-untyped-def]
    """100 concurrent creates, 10 pairs colliding on email or username, reads beside them.

    No 503: a create hashes its password (in a dependency resolved before the session) before it
    takes a connection, so the burst never holds the pool while the database is idle.
    """
    app, database = served
    unique = 90

    async def scenario() -> tuple[load.Record, load.Record]:
        # 100 argon2 hashes keep a 2-core machine busy for half a minute: the client waits for every
        # answer (this checks what the service answers, not how fast: the benchmark does that).
        bodies = [new_user(i) for i in range(unique)]
        for i in range(5):
            bodies.append({**new_user(f"x{i}"), "email": f"user{i}@example.com"})
            bodies.append({**new_user(i + 5), "email": f"other{i}@example.com"})
        # Every create in flight at once (and the 4 readers): none waits in the client's own pool.
        client, path = await seeded_reader(app.url, connections=len(bodies) + 4, timeout=BURST_CLIENT_TIMEOUT)
        creates, reads = load.Record(), load.Record()
        done = asyncio.Event()

        async def read(c: httpx.AsyncClient, r: load.Record) -> None:
            await load.timed(r, c, "GET", path)

        async def burst() -> None:
            await asyncio.gather(*(load.timed(creates, client, "POST", "/users", json=b) for b in bodies))
            done.set()

        async with aclosing(client):
            await asyncio.gather(burst(), load.steady(client, reads, read, 4, done))
        return creates, reads

    creates, reads = asyncio.run(scenario())
    found = count_rows(private_servers, project, database, "users")
    print(
        f"{project.stack.id}: creates {creates.summary()}; reads {reads.summary()}; rows {found} expected {unique + 1}"
    )
    assert creates.statuses == {201: unique, 409: 10}, creates.summary()
    assert reads.outcomes and set(reads.statuses) == {200}, reads.summary()
    assert found == unique + 1


async def timed_if_sent(
    record: load.Record, unsent: list[str], client: httpx.AsyncClient, method: str, url: str, **kwargs: object
) -> None:
    """`load.timed`, except that a request whose bytes never all left the client goes to `unsent`.

    Refused because the server had stopped listening, it never reached the server: the client knows
    that and may send it elsewhere. A request that was sent is either answered or cut off.
    """
    events: list[str] = []

    async def trace(name: str, _: object) -> None:
        events.append(name)

    started = time.monotonic()
    try:
        response = await client.request(method, url, extensions={"trace": trace}, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        if "http11.send_request_body.complete" in events:
            record.add(started, None, error)
        else:
            unsent.append(f"{type(error).__name__}: {error}")
        return
    record.add(started, response)


# At SIGTERM uvicorn closes its listening socket, resetting connections the kernel accepted but
# uvicorn had not, then closes every connection with no request in progress, even one whose request
# is sent but not read yet. The app's drain (app/core/shutdown.py) holds the signal back meanwhile:
# the service goes on accepting and serving, /health/ready answers 503 and responses close their
# connections, and it lasts while requests are still arriving (this burst of argon2 hashes keeps a
# 2-core machine so busy that uvicorn takes seconds to accept connections whose requests were sent),
# so by the time uvicorn shuts down no request is waiting unread. The drain is the image's default.
DRAIN_SECONDS = 8.0
# Creates in flight at SIGTERM. Each is an argon2 hash (64 MiB, four threads): more of them starve a
# 2-core machine that also runs the matrix, so uvicorn takes longer to accept than any drain lasts.
SIGTERM_CREATES = 10


@pytest.mark.settings(SHUTDOWN_DRAIN_SECONDS=str(DRAIN_SECONDS))
def test_sigterm_under_load_finishes_in_flight(served, project: Project) -> None:  # type: ignore[no-untyped-def]
    app, _ = served
    unsent: list[str] = []

    async def scenario() -> tuple[load.Record, httpx.Response]:
        # A connection per request: none waits in the client's pool until after the drain.
        client, path = await seeded_reader(app.url, connections=100)
        record = load.Record()
        async with aclosing(client):
            tasks = [
                asyncio.create_task(timed_if_sent(record, unsent, client, "POST", "/users", json=new_user(f"t{i}")))
                for i in range(SIGTERM_CREATES)
            ]
            tasks += [asyncio.create_task(timed_if_sent(record, unsent, client, "GET", path)) for _ in range(30)]
            await asyncio.sleep(0.05)
            # Every create is answered before uvicorn exits, however slowly this machine hashes them.
            stopping = asyncio.create_task(asyncio.to_thread(app.stop, 90.0))
            # Well inside the drain: requests are still accepted and served, the service is not ready.
            await asyncio.sleep(DRAIN_SECONDS / 6)
            tasks += [asyncio.create_task(timed_if_sent(record, unsent, client, "GET", path)) for _ in range(10)]
            ready = await client.get("/health/ready")
            await asyncio.gather(*tasks, stopping)
        return record, ready

    record, ready = asyncio.run(scenario())
    print(f"{project.stack.id}: sent {record.summary()}; not sent (refused) {len(unsent)}; ready {ready.status_code}")
    # Every request was sent (none refused: the drain keeps listening) and answered; none cut off.
    assert not unsent, f"{len(unsent)} refused: {unsent[:3]}"
    assert None not in record.statuses, record.summary()
    # A read that waited DB_POOL_TIMEOUT behind the burst answers 503, as it would without a SIGTERM.
    assert set(record.statuses) <= {200, 201, 503}, record.summary()
    assert all(o.retry_after for o in record.outcomes if o.status == 503), (
        f"503 without Retry-After: {record.summary()}"
    )
    assert ready.status_code == 503 and ready.json()["status"] == "draining", ready.text
    assert ready.headers["Connection"] == "close"
    assert app.stopped_cleanly, app.log[-3000:]


# Redis faults: the cache of a `cache: redis` stack stopped or frozen while reads and writes run.
REDIS_FAULT_STACKS = tuple(Stack(s.concurrency, s.orm, s.database, "redis") for s in FAULT_STACKS)
if chosen is not None:
    REDIS_FAULT_STACKS = (chosen,) if chosen.cache == "redis" else ()
REDIS_SOCKET_TIMEOUT = 0.5
REDIS_CONNECT_TIMEOUT = 0.5
REDIS_SETTINGS = {
    "REDIS_SOCKET_TIMEOUT": str(REDIS_SOCKET_TIMEOUT),
    "REDIS_SOCKET_CONNECT_TIMEOUT": str(REDIS_CONNECT_TIMEOUT),
    # Far longer than the scenario: an entry left stale by a lost invalidation would still be served.
    "CACHE_TTL_SECONDS": "300",
}
# What a request may spend on Redis (app/core/cache.py): at most three calls (a read renews the epoch after
# lost invalidations, looks up, stores; a write invalidates), each a wait for a pooled connection, a connect,
# its handshake and its command; a timeout is not retried (a refused connection is, at once).
REDIS_CALL_BOUND = REDIS_SOCKET_TIMEOUT + REDIS_CONNECT_TIMEOUT + 2 * REDIS_SOCKET_TIMEOUT
REDIS_BOUND = 3 * REDIS_CALL_BOUND + MARGIN
NEW_NAME = "renamed_while_down"
NEW_TITLE = "Edited while Redis was down"


@pytest.fixture(scope="module", params=REDIS_FAULT_STACKS, ids=lambda stack: stack.id)
def redis_project(request: pytest.FixtureRequest, copie_session, tmp_path_factory) -> Project:  # type: ignore[no-untyped-def]
    return installed_project(copie_session, request.param, tmp_path_factory)


@pytest.fixture
def redis_served(
    private_servers: PrivateServers, redis_project: Project, request: pytest.FixtureRequest
) -> Iterator[tuple[Served, str]]:
    redis = {"REDIS_URL": private_servers.admin_urls["redis"], "CACHE_KEY_PREFIX": request.node.name}
    with served_on_fresh_database(private_servers, redis_project, request, **redis, **REDIS_SETTINGS) as served:
        yield served


@dataclass
class CacheOutage:
    reads: load.Record
    writes: load.Record
    stale: list[str]
    user_path: str


async def redis_outage(base_url: str, inject, recover, during: float) -> CacheOutage:  # type: ignore[no-untyped-def]
    """Steady reads of a user and their post (cached from the start); after 1 s the fault, then both
    are changed; `during` s later Redis recovers, and 3 s more of reads follow.

    A read that starts once both changes were answered must show them, whether Redis is down or back.
    """
    client = load.client(base_url)
    async with aclosing(client):
        author = await client.post("/users", json=new_user("author"))
        assert author.status_code == 201, author.text
        client.headers.update(await log_in(client, "userauthor"))  # the author's changes below need it
        post = await client.post("/posts", json={"title": "Before the outage"})
        assert post.status_code == 201, post.text
        user_path, post_path = f"/users/{author.json()['id']}", f"/posts/{post.json()['id']}"
        reads, writes, stale = load.Record(), load.Record(), []
        written: list[float] = []
        done = asyncio.Event()

        def is_current(path: str, body: dict[str, Any]) -> bool:
            if path == user_path:
                return bool(body["username"] == NEW_NAME)
            return bool(body["title"] == NEW_TITLE and body["author"]["username"] == NEW_NAME)

        async def read(c: httpx.AsyncClient, r: load.Record) -> None:
            for path in (user_path, post_path):
                started = time.monotonic()
                response = await load.timed(r, c, "GET", path)
                if response is None or response.status_code != 200 or not written or started < written[0]:
                    continue
                if not is_current(path, response.json()):
                    stale.append(f"{path} +{started - written[0]:.2f}s after the writes: {response.text}")

        async def script() -> None:
            await asyncio.sleep(1.0)
            await asyncio.to_thread(inject)
            await asyncio.sleep(0.5)
            await load.timed(writes, client, "PATCH", user_path, json={"username": NEW_NAME})
            await load.timed(writes, client, "PATCH", post_path, json={"title": NEW_TITLE})
            written.append(time.monotonic())
            await asyncio.sleep(during)
            await asyncio.to_thread(recover)
            await asyncio.sleep(3.0)
            done.set()

        await asyncio.gather(load.steady(client, reads, read, READERS, done), script())
    return CacheOutage(reads, writes, stale, user_path)


@pytest.mark.parametrize("fault", ["stop", "freeze"])
def test_redis_fault_under_load(  # type: ignore[no-untyped-def]
    fault: str, redis_served, private_servers: PrivateServers, redis_project: Project
) -> None:
    app, database = redis_served
    inject, recover = {
        # A Redis that persists its data comes back with the entries it held, the changed ones included.
        "stop": (
            lambda: (private_servers.snapshot_redis(), private_servers.stop("redis")),
            lambda: private_servers.restart("redis"),
        ),
        "freeze": (lambda: private_servers.freeze("redis"), lambda: private_servers.thaw("redis")),
    }[fault]
    outage = asyncio.run(redis_outage(app.url, inject, recover, during=3.0))
    stale = f"{len(outage.stale)} stale reads {outage.stale[:3]}"
    print(f"{redis_project.stack.id} {fault}: reads {outage.reads.summary()}")
    print(f"{redis_project.stack.id} {fault}: writes {outage.writes.summary()}; {stale}")

    assert outage.writes.statuses == {200: 2}, outage.writes.summary()
    assert set(outage.reads.statuses) == {200}, outage.reads.summary()
    worst = max(outage.reads.worst_latency, outage.writes.worst_latency)
    assert worst <= REDIS_BOUND, f"worst {worst:.2f}s > {REDIS_BOUND}s"
    assert "not invalidated" in app.log, "the writes never met a Redis that was down"
    assert not outage.stale, stale
    assert "Traceback" not in app.log, app.log[-3000:]

    # The cache is used again: a change made behind the app's back stays unseen while the entry lives.
    with httpx.Client(base_url=app.url) as client:
        assert client.get(outage.user_path).json()["username"] == NEW_NAME
        user_id = outage.user_path.rsplit("/", 1)[1]
        sql(private_servers, redis_project, database, f"UPDATE users SET username = 'behind' WHERE id = {user_id}")
        cached = client.get(outage.user_path)
    assert cached.status_code == 200, cached.text
    assert cached.json()["username"] == NEW_NAME, "read from the database: Redis is not used again after it recovered"
