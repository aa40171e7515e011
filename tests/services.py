"""Real services the tests use, and how a missing one is reported.

Without REQUIRE_SERVICES=1 a test that needs a missing service is skipped with its
reason; with it (CI's second run) the test fails instead.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def need(available: bool, reason: str) -> None:
    """Skip (or, under REQUIRE_SERVICES=1, fail) when a service is missing."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def need_postgres() -> None:
    need(
        connection.vendor == "postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>",
    )


def need_redis() -> None:
    from dialogue.health import check_broker

    is_redis = settings.CELERY_BROKER_URL.startswith("redis")
    need(
        is_redis,
        "needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/<n>",
    )
    reason = check_broker()
    need(reason is None, f"Redis at CELERY_BROKER_URL does not answer: {reason}")


def need_chromium() -> None:
    need(
        Path(CHROMIUM).exists(),
        f"needs Debian chromium at {CHROMIUM} (apt-get install chromium)",
    )


def need_pdftoppm() -> None:
    need(shutil.which("pdftoppm") is not None, "needs pdftoppm (poppler-utils)")


def database_url_for_subprocess() -> str:
    """Return a DATABASE_URL naming the database this test process uses now.

    Under pytest-django that is the test database, so a worker subprocess writes
    where the test reads.
    """
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class WorkerProcess:
    """A real `celery -A dialogue worker` subprocess on the configured broker."""

    def __init__(
        self,
        *,
        concurrency: int = 1,
        queue: str = "celery",
        extra_env: dict | None = None,
    ):
        self.name = f"test-{uuid.uuid4().hex[:10]}"
        self.queue = queue
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = ROOT / "var" / "test-workers" / f"{self.name}.log"

    def start(self) -> "WorkerProcess":
        from dialogue.celery import app

        # Messages left by an earlier, interrupted run must not reach this worker.
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.default_channel.queue_purge(self.queue)
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocess(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        if settings.CELERY_BROKER_URL == "filesystem://":
            # The file broker's folders come from DIALOGUE_VAR_DIR, not the URL.
            del env["CELERY_BROKER_URL"]
            env["DIALOGUE_VAR_DIR"] = str(settings.VAR_DIR)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dialogue",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={self.concurrency}",
                f"--hostname={self.name}@%h",
                "--queues",
                self.queue,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            # Pool children left behind would keep database connections open.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text()


def wait_for(predicate, *, timeout: float, interval: float = 0.2):
    """Return the first truthy value of predicate(), or None after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None
