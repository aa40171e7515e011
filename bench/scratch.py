"""A PostgreSQL database of a bench's own, dropped when the bench exits."""

import atexit
import os
import subprocess

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def scratch_database(prefix: str) -> str:
    """Create <prefix>_<pid> on DATABASE_URL's server (or the local one), point
    DATABASE_URL at it and drop it at exit, so a run never touches the database
    DATABASE_URL names. Return its name."""
    url = os.environ.get("DATABASE_URL", "")
    server = url.rsplit("/", 1)[0] if url.startswith("postgres") else DEFAULT_SERVER
    name = f"{prefix}_{os.getpid()}"
    subprocess.run(
        ["psql", server + "/postgres", "-qc", f"CREATE DATABASE {name}"],
        check=True,
        capture_output=True,
    )
    os.environ["DATABASE_URL"] = f"{server}/{name}"

    def drop():
        from django.db import connections

        connections.close_all()
        subprocess.run(
            [
                "psql",
                server + "/postgres",
                "-qc",
                f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
            ],
            capture_output=True,
        )

    atexit.register(drop)
    return name
