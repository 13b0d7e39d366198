"""A private set of PostgreSQL, MariaDB and Redis servers that a test may stop, kill or freeze.

The shared servers (`scripts/services` defaults) serve every other test and helper: faults are only
ever injected here. `scripts/services` starts the set in its own directory on its own ports; restarts
re-run each server's recorded command line on the same data, because `scripts/services start` wipes it.
Every signal goes to PIDs this set owns (the server process and its children), never to a name.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = Path(__file__).resolve().parent.parent / "scripts" / "services"
# Directory, the file holding the server's PID (first line), the user it runs as. PostgreSQL and
# MariaDB write their own PID file, so it names the running server after a restart too.
LAYOUT = {
    "postgresql": ("postgresql", "data/postmaster.pid", "postgres"),
    "mysql": ("mariadb", "mariadbd.pid", "mysql"),
    "redis": ("redis", "pid", None),
}
WRITES_OWN_PID_FILE = frozenset({"postgresql", "mysql"})
READY_TIMEOUT = 30.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class PrivateServers:
    directory: Path
    ports: dict[str, int]
    command_lines: dict[str, list[str]] = field(default_factory=dict)

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SERVICES_DIR": str(self.directory),
            "PG_PORT": str(self.ports["postgresql"]),
            "MYSQL_PORT": str(self.ports["mysql"]),
            "REDIS_PORT": str(self.ports["redis"]),
        }

    def start(self) -> None:
        subprocess.run([str(SERVICES), "start"], env=self._env(), check=True, capture_output=True, text=True)
        for server in LAYOUT:
            self.command_lines[server] = Path(f"/proc/{self.pid(server)}/cmdline").read_text().rstrip("\0").split("\0")
        # Redis rewrites its process title, so its arguments are restated (as `scripts/services` gives them).
        redis = self.directory / "redis"
        self.command_lines["redis"] = [
            # By name, not /proc's exe: Debian's redis-server is a link to a binary that acts on argv[0].
            shutil.which("redis-server") or "redis-server",
            *("--port", str(self.ports["redis"]), "--bind", "127.0.0.1", "--dir", str(redis)),
            *("--unixsocket", str(redis / "redis.sock"), "--save", "", "--appendonly", "no", "--daemonize", "no"),
        ]

    def teardown(self) -> None:
        for server in LAYOUT:
            self.thaw(server)
        subprocess.run([str(SERVICES), "stop"], env=self._env(), check=False, capture_output=True)

    @property
    def admin_urls(self) -> dict[str, str]:
        return {
            "postgresql": f"postgresql://postgres:postgres@127.0.0.1:{self.ports['postgresql']}/postgres",
            "mysql": f"mysql://root:root@127.0.0.1:{self.ports['mysql']}/mysql",
            "redis": f"redis://127.0.0.1:{self.ports['redis']}/0",
        }

    def pid(self, server: str) -> int:
        sub, pid_file, _ = LAYOUT[server]
        return int((self.directory / sub / pid_file).read_text().split()[0])

    def _running(self, server: str) -> bool:
        try:
            return _alive(self.pid(server))
        except (OSError, ValueError, IndexError):
            return False

    def processes(self, server: str) -> list[int]:
        """The server's process and its children (PostgreSQL's backends)."""
        root = self.pid(server)
        return [root, *_children(root)] if _alive(root) else []

    def _signal(self, server: str, number: signal.Signals) -> list[int]:
        pids = self.processes(server)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, number)
        return pids

    def freeze(self, server: str) -> None:
        """SIGSTOP every process of the server: the kernel still accepts and acknowledges TCP."""
        self._signal(server, signal.SIGSTOP)

    def thaw(self, server: str) -> None:
        self._signal(server, signal.SIGCONT)

    def snapshot_redis(self) -> None:
        """Write Redis's data to disk (SAVE), so a restart comes back with it, as a persistent Redis does."""
        subprocess.run(["redis-cli", "-p", str(self.ports["redis"]), "save"], check=True, capture_output=True)

    def kill(self, server: str) -> None:
        self._wait_gone(self._signal(server, signal.SIGKILL))

    def stop(self, server: str) -> None:
        """A clean, fast shutdown: PostgreSQL's SIGINT ("fast"), SIGTERM for the others."""
        pids = self.processes(server)
        os.kill(pids[0], signal.SIGINT if server == "postgresql" else signal.SIGTERM)
        self._wait_gone(pids)

    def restart(self, server: str) -> None:
        """Start the server again on its data, with the command line it first ran with."""
        sub, pid_file, user = LAYOUT[server]
        command = self.command_lines[server]
        if user is not None and os.geteuid() == 0:
            # setpriv execs the server (runuser would fork, and stop itself whenever the server is frozen).
            command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--", *command]
        with (self.directory / sub / "server.log").open("a") as log:
            process = subprocess.Popen(
                command, cwd="/", stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
        if server not in WRITES_OWN_PID_FILE:
            (self.directory / sub / pid_file).write_text(f"{process.pid}\n")
        self._wait_ready(server)
        if server == "mysql":  # a kill leaves the old file behind: wait until it names the new server
            deadline = time.monotonic() + READY_TIMEOUT
            while not self._running(server):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{server} wrote no PID file of a running server")
                time.sleep(0.05)
            # `scripts/services stop`, the teardown, reads the PID from a file of its own.
            (self.directory / sub / "pid").write_text(f"{process.pid}\n")

    def _wait_gone(self, pids: list[int]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while any(_alive(pid) for pid in pids):
            if time.monotonic() > deadline:
                raise TimeoutError(f"processes {pids} still running")
            time.sleep(0.05)
        # A server `restart` started is our child: reap it, or its zombie keeps its PID taken, and
        # PostgreSQL refuses to start while the PID in its lock file exists.
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)

    def _wait_ready(self, server: str) -> None:
        import socket

        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.ports[server]), timeout=1):
                    pass
            except OSError:
                time.sleep(0.1)
                continue
            if server != "postgresql" or self._pg_accepts():
                return
            time.sleep(0.1)
        raise TimeoutError(f"{server} did not come back within {READY_TIMEOUT}s")

    def _pg_accepts(self) -> bool:
        import psycopg

        try:
            psycopg.connect(self.admin_urls["postgresql"], connect_timeout=2).close()
        except psycopg.Error:
            return False
        return True
