"""What the benches share: a scratch folder in the production profile, a
PostgreSQL database of their own (dropped at exit), the machine's load."""

import atexit
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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


def load() -> str:
    """The load average (1, 5, 15 min) as the benches print it."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def production_profile(name: str, settings_module: str) -> None:
    """Point this process at a scratch folder of its own with DEBUG=0: var,
    media and static files there, the file broker under it, WARNING logs."""
    scratch = tempfile.mkdtemp(prefix=f"dialogue-bench-{name}-")
    os.environ["DIALOGUE_VAR_DIR"] = scratch
    os.environ["MEDIA_ROOT"] = os.path.join(scratch, "media")
    os.environ["STATIC_ROOT"] = os.path.join(scratch, "static")
    os.environ.pop("CELERY_BROKER_URL", None)  # the file broker under scratch
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", f"bench-{name}-" + "x" * 50)


def migrate_and_collect() -> None:
    """Migrate the database and collect the static files (manifest storage)."""
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True)
