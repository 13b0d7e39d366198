"""Throwaway databases on the servers started by `scripts/services`.

Each caller gets a database of its own, created empty; the server URLs come from
the environment that `scripts/services env` prints (defaults match its ports).
"""

import os
import re
import socket
from urllib.parse import urlsplit

import psycopg
import pymysql

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres:postgres@127.0.0.1:55432/postgres")
MYSQL_ADMIN_URL = os.environ.get("MYSQL_ADMIN_URL", "mysql://root:root@127.0.0.1:53306/mysql")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:56379/0")

# The application's own login on both servers (created by scripts/services).
APP_USER = "app"
APP_PASSWORD = "app"  # throwaway test credential


class ServerUnavailable(Exception):
    pass


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def _mysql_connect() -> pymysql.connections.Connection:
    parts = urlsplit(MYSQL_ADMIN_URL)
    return pymysql.connect(
        host=parts.hostname, port=parts.port, user=parts.username, password=parts.password, autocommit=True
    )


def _redis_ping() -> None:
    """PING over a plain socket (RESP inline command): no client library needed here."""
    parts = urlsplit(REDIS_URL)
    with socket.create_connection((parts.hostname, parts.port or 6379), timeout=3) as connection:
        connection.sendall(b"PING\r\n")
        answer = connection.recv(64)
    if not answer.startswith(b"+PONG"):
        raise ConnectionError(f"unexpected answer to PING: {answer!r}")


def check(server: str) -> None:
    """Raise ServerUnavailable unless `server` (a database engine, or "redis") answers."""
    admin = {"postgresql": PG_ADMIN_URL, "mysql": MYSQL_ADMIN_URL, "redis": REDIS_URL}[server]
    try:
        if server == "postgresql":
            psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
        elif server == "mysql":
            _mysql_connect().close()
        else:
            _redis_ping()
    except (psycopg.Error, pymysql.Error, OSError) as error:
        raise ServerUnavailable(
            f"{server} is not reachable at {_host_port(admin)} ({error.__class__.__name__}); "
            "start the servers with `scripts/services start`"
        ) from error


def fresh_database(database: str, name: str) -> str:
    """Create an empty database `name` (dropping any leftover) and return 'host:port/name'."""
    name = re.sub(r"[^a-z0-9_]", "_", name.lower())[:60]
    if database == "postgresql":
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}" OWNER {APP_USER}')
        return f"{_host_port(PG_ADMIN_URL)}/{name}"
    connection = _mysql_connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    finally:
        connection.close()
    return f"{_host_port(MYSQL_ADMIN_URL)}/{name}"
