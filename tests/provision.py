"""`python -m tests.provision`: the application login the tests use, on each reachable server.

`scripts/services` creates it when it starts its servers; a CI job's service containers
start with only their admin account, so the workflow runs this first. Idempotent: on a
server that already has the login it changes nothing but the (same) password and grants.
"""

import psycopg

from tests import services


def provision_postgresql() -> None:
    with psycopg.connect(services.PG_ADMIN_URL, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (services.APP_USER,)).fetchone()
        if not exists:
            connection.execute(f"CREATE ROLE {services.APP_USER} LOGIN CREATEDB PASSWORD '{services.APP_PASSWORD}'")


def provision_mysql() -> None:
    connection = services._mysql_connect()
    try:
        with connection.cursor() as cursor:
            for host in ("%", "localhost"):
                user = f"'{services.APP_USER}'@'{host}'"
                cursor.execute(f"CREATE USER IF NOT EXISTS {user} IDENTIFIED BY '{services.APP_PASSWORD}'")
                cursor.execute(f"GRANT ALL PRIVILEGES ON *.* TO {user} WITH GRANT OPTION")
    finally:
        connection.close()


def main() -> None:
    for server, provision in (("postgresql", provision_postgresql), ("mysql", provision_mysql)):
        try:
            services.check(server)
        except services.ServerUnavailable:
            print(f"{server}: not reachable, nothing to provision")  # a stack that needs it fails later
            continue
        provision()
        print(f"{server}: login {services.APP_USER!r} ready")


if __name__ == "__main__":
    main()
