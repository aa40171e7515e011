"""CI's third run: the production profile on this machine, driven by a browser.

`production_site` starts the portal the way production runs it: DEBUG=0, a real
SECRET_KEY, PostgreSQL, Redis, `scripts/production release`, then
`scripts/production web` (gunicorn) and `scripts/production worker` (Celery) as
subprocesses, mail to an SMTP sink in this process. Tests talk to it over HTTP
only: they never use pytest-django's test database.

It runs only with PRODUCTION_PROFILE=1 (.ci/run's third run) and is skipped
otherwise, whatever REQUIRE_SERVICES says, so the first two runs skip it; with
PRODUCTION_PROFILE=1 a missing part fails.

No TLS proxy runs here, so the site runs with SECURE_SSL_REDIRECT=0 and
Chromium talks plain http://127.0.0.1:<port>. Everything else is production:
cookies are Secure (Chromium keeps Secure cookies for 127.0.0.1, which the
login test checks) and a request that carries the proxy's
`X-Forwarded-Proto: https` is treated as HTTPS (HSTS). Sending that header from
the browser instead was tried: Chromium leaves extra headers off the requests
of downloads, so a pack or an .ics would be redirected to an https:// that
nothing serves.
"""

import contextlib
import email
import email.policy
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from base64 import b32decode
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, CHROMIUM_ARGS, csp_violations
from tests.services import CHROMIUM, ROOT, wait_for

ENABLED = os.environ.get("PRODUCTION_PROFILE") == "1"
WORK = ROOT / "var" / "production-ci"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
# CI's names; two checkouts on one machine pick their own with these two.
DATABASE = os.environ.get("PRODUCTION_CI_DATABASE", "dialogue_prod_ci")
REDIS_URL = os.environ.get("PRODUCTION_CI_REDIS", "redis://127.0.0.1:6379/8")
ADMIN_USERNAME = "secretariat-admin"
FROM_EMAIL = "Dialogue secretariat <secretariat@dialogue.test>"

# Production processes get what a container would: these from this process
# (where programs and the home folder are, the locale), then the settings built
# below. A DATABASE_URL or EMAIL_BACKEND a developer exported never leaks in.
PASSED_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TMPDIR")

# gunicorn's default access log format:
# %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"
ACCESS_LINE = re.compile(
    r'^\S+ \S+ \S+ \[[^\]]+\] "(?P<request>[^"]*)" (?P<status>\d{3}) '
)
# WARNING lines are legitimate: a retried task logs one, Django logs every 404
# (the browser asks for /favicon.ico), Celery warns when run as root. An error,
# a critical line (gunicorn's WORKER TIMEOUT) or a traceback is not.
BAD_LINE = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b")


def require(available: bool, reason: str) -> None:
    """Fail, naming the missing part: under PRODUCTION_PROFILE=1 nothing is optional."""
    if not available:
        pytest.fail(f"PRODUCTION_PROFILE=1 but {reason}", pytrace=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """An aiosmtpd server in this process that keeps every message it receives."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpSink":
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)


class Service:
    """One `scripts/production ...` subprocess in its own process group."""

    def __init__(
        self, name: str, args: list[str], env: dict, log: Path, stdout: Path | None
    ):
        """Start args; stderr goes to log, stdout too unless stdout names a file."""
        self.name = name
        self.log_path = log
        self._files = [log.open("w")]
        if stdout is not None:
            self._files.append(stdout.open("w"))
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._files[-1] if stdout is not None else self._files[0],
            stderr=self._files[0],
            start_new_session=True,
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        # TERM the master (gunicorn's arbiter, Celery's main process): it stops
        # its children gracefully. Then KILL the group, so no child is left
        # holding a port or a database connection.
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for file in self._files:
            file.close()


@dataclass
class ProductionSite:
    url: str
    username: str
    password: str
    env: dict
    smtp: SmtpSink
    static_root: Path
    logs: dict[str, Path] = field(default_factory=dict)
    # The admin's authenticator key, from `manage.py two_factor enroll`.
    totp_key: bytes = b""
    _last_step: int = -1

    def otp_code(self) -> str:
        """Return a TOTP code the site accepts now, as an authenticator app would.

        A code is good for one login only (django-otp refuses a time step twice)
        and the device accepts one step either side of now, so each login takes
        the next unused step, waiting for the clock when it is too far ahead.
        """
        from django_otp.oath import hotp

        while True:
            now = int(time.time()) // 30
            step = max(now, self._last_step + 1)
            if step <= now + 1:
                self._last_step = step
                return f"{hotp(self.totp_key, step):06d}"
            time.sleep(1)

    @property
    def messages(self) -> list[EmailMessage]:
        """Every email the portal has sent so far, parsed."""
        return self.smtp.received()

    def manage(self, *args: str) -> str:
        """Run `manage.py <args>` in the production environment; return its stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, (
            f"manage.py {' '.join(args)} exited {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    def manifest(self) -> dict[str, str]:
        """Return collectstatic's manifest in STATIC_ROOT: source -> hashed path."""
        path = self.static_root / "staticfiles.json"
        assert path.exists(), (
            f"no {path}: collectstatic wrote no manifest where WhiteNoise serves "
            "from (is the production staticfiles storage the manifest storage, "
            "with STATIC_ROOT as its location?)"
        )
        return json.loads(path.read_text())["paths"]

    def log_problems(self) -> list[str]:
        """Return the 5xx responses and the error lines of the web and worker logs."""
        problems = []
        for line in self.logs["access"].read_text().splitlines():
            match = ACCESS_LINE.match(line)
            if match is None:
                # An unreadable line could hide a 5xx: the format must not drift.
                problems.append(f"access log, unreadable line: {line}")
            elif match["status"].startswith("5"):
                problems.append(f"access log: {line}")
        for name in ("web", "worker"):
            for line in self.logs[name].read_text().splitlines():
                if BAD_LINE.search(line):
                    problems.append(f"{name} log: {line}")
        return problems

    def assert_clean_logs(self) -> None:
        problems = self.log_problems()
        assert problems == [], "\n".join(
            [*problems, "", *(f"log: {path}" for path in self.logs.values())]
        )


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text().splitlines()[-lines:])


def fresh_database() -> None:
    import psycopg2

    try:
        conn = psycopg2.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=5)
    except psycopg2.OperationalError as exc:
        require(False, f"PostgreSQL at {POSTGRES_SERVER} does not answer: {exc}")
    conn.autocommit = True
    with conn.cursor() as cursor:
        # FORCE: a web or worker left by an interrupted run may still be connected.
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    conn.close()


def fresh_broker() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        # Messages left by an interrupted run must not reach this worker.
        client.flushdb()
    except redis.RedisError as exc:
        require(False, f"Redis at {REDIS_URL} does not answer: {exc}")
    finally:
        client.close()


def production_env(*, port: int, smtp_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k in PASSED_THROUGH}
    origin = f"http://127.0.0.1:{port}"
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": origin,
            # No TLS proxy here: see the module docstring.
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"{POSTGRES_SERVER}/{DATABASE}",
            "CELERY_BROKER_URL": REDIS_URL,
            # The link pages' cache beside the broker's keys (its own prefix);
            # production gives it a db of its own (docker-compose.yml).
            "CACHE_URL": REDIS_URL,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "DEFAULT_FROM_EMAIL": FROM_EMAIL,
            "MEDIA_ROOT": str(WORK / "media"),
            "STATIC_ROOT": str(WORK / "static"),
            "DIALOGUE_VAR_DIR": str(WORK / "var"),
            "DJANGO_SETTINGS_MODULE": "dialogue.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def run_logged(args: list[str], env: dict, log: Path) -> None:
    with log.open("a") as out:
        result = subprocess.run(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
    assert result.returncode == 0, (
        f"{' '.join(args)} exited {result.returncode}:\n{tail(log)}"
    )


@pytest.fixture(scope="session")
def production_site():
    if not ENABLED:
        pytest.skip(
            "the production profile runs with PRODUCTION_PROFILE=1 "
            "(CI's third run: .ci/run)"
        )
    require(Path(CHROMIUM).exists(), f"needs Debian chromium at {CHROMIUM}")
    require(
        shutil.which("gunicorn", path=str(ROOT / ".venv" / "bin")) is not None
        or shutil.which("gunicorn") is not None,
        "needs gunicorn (make setup)",
    )
    fresh_database()
    fresh_broker()
    shutil.rmtree(WORK, ignore_errors=True)
    # A failure screenshot of an earlier run would mislead whoever reads them.
    for stale in ARTIFACTS.glob("production-*.png"):
        stale.unlink()
    for folder in ("media", "static", "var"):
        (WORK / folder).mkdir(parents=True)

    smtp = SmtpSink().start()
    port = free_port()
    env = production_env(port=port, smtp_port=smtp.port)
    password = secrets.token_urlsafe(18)
    site = ProductionSite(
        url=f"http://127.0.0.1:{port}",
        username=ADMIN_USERNAME,
        password=password,
        env=env,
        smtp=smtp,
        static_root=WORK / "static",
        logs={
            "release": WORK / "release.log",
            "access": WORK / "web-access.log",
            "web": WORK / "web.log",
            "worker": WORK / "worker.log",
        },
    )
    services: list[Service] = []
    try:
        script = str(ROOT / "scripts" / "production")
        run_logged([script, "release"], env, site.logs["release"])
        run_logged(
            [sys.executable, "manage.py", "loaddata", "ashgabat_2017"],
            env,
            site.logs["release"],
        )
        run_logged(
            [
                sys.executable,
                "manage.py",
                "createsuperuser",
                "--noinput",
                "--username",
                ADMIN_USERNAME,
                "--email",
                "admin@dialogue.test",
            ],
            {**env, "DJANGO_SUPERUSER_PASSWORD": password},
            site.logs["release"],
        )
        # Staff log in with a second factor in production: enrol the admin's
        # authenticator, as the README tells an operator to.
        enrollment = site.manage("two_factor", "enroll", ADMIN_USERNAME)
        key = next(
            line.split(": ", 1)[1]
            for line in enrollment.splitlines()
            if line.startswith("key: ")
        )
        site.totp_key = b32decode(key)
        services.append(
            Service(
                "worker",
                [script, "worker"],
                {**env, "WORKER_CONCURRENCY": "2"},
                site.logs["worker"],
                stdout=None,
            )
        )
        # gunicorn writes the access log to stdout and its own log (and
        # Django's) to stderr: two files, so each is read strictly.
        services.append(
            Service(
                "web",
                [script, "web"],
                {**env, "BIND": f"127.0.0.1:{port}", "WEB_WORKERS": "2"},
                site.logs["web"],
                stdout=site.logs["access"],
            )
        )

        def ready():
            for service in services:
                assert service.running(), (
                    f"{service.name} exited {service.process.returncode}:\n"
                    f"{tail(service.log_path)}"
                )
            return http_status(f"{site.url}/healthz") == 200 and (
                " ready." in site.logs["worker"].read_text()
            )

        assert wait_for(ready, timeout=90, interval=0.5), (
            f"web or worker not ready after 90 s\n{tail(site.logs['web'])}\n"
            f"{tail(site.logs['worker'])}"
        )
        yield site
    finally:
        for service in reversed(services):
            service.stop()
        smtp.stop()


@pytest.fixture(autouse=True)
def clean_logs(production_site):
    """After every test, passed or failed: no 5xx, no error, no traceback."""
    yield
    production_site.assert_clean_logs()


@pytest.fixture(scope="session")
def browser(production_site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_report = report
    return report


@pytest.fixture
def page(browser, request):
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    page = context.new_page()
    refused = csp_violations(page)
    try:
        yield page
    finally:
        report = getattr(request.node, "call_report", None)
        if report is not None and report.failed:
            with contextlib.suppress(Exception):
                save_screenshot(page, f"{request.node.name}-failure")
        context.close()
    # The production policy (hashed static URLs, nonces) must refuse nothing.
    assert refused == []


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"production-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under var/test-artifacts/ for a person to read."""

    def take(name: str) -> Path:
        return save_screenshot(page, f"{request.node.name}-{name}")

    return take


def wait_until(predicate, *, timeout: float, message: str, interval: float = 0.5):
    """Return predicate()'s first truthy value; fail with message after timeout."""
    value = wait_for(predicate, timeout=timeout, interval=interval)
    assert value, message
    return value
