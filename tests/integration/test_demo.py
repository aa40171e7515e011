"""`make demo` as a newcomer runs it: the embedded default with its real worker.

Links printed from another terminal point at the port the demo serves on, and
the console is not flooded by libraries' INFO lines while packs render.
"""

import os
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.services import ROOT, wait_for

pytestmark = pytest.mark.services

PROFILE_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def test_demo_links_follow_its_port_and_console_stays_readable(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in (*PROFILE_VARIABLES, "SITE_URL", "LOG_LEVEL")
    }
    env |= {"DIALOGUE_VAR_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}

    def manage(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        ).stdout

    manage("migrate", "--noinput", "--verbosity", "0")
    manage("bootstrap_demo")
    console = tmp_path / "console.log"
    with console.open("w") as out:
        demo = subprocess.Popen(
            ["./scripts/run-demo.sh"],
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: answers(f"{base}/healthz"), timeout=60), (
            console.read_text()
        )
        # Another terminal: no PORT, no SITE_URL.
        links = [
            line.split("\t")[1]
            for line in manage("itinerary_links").split("\n")
            if "\t" in line
        ]
        assert links, "the mail merge printed no link"
        assert [link.startswith(f"{base}/l/") for link in links] == [True] * len(links)
        # (the first page can wait on the worker's first writes: give it time)
        assert wait_for(lambda: answers(links[0]), timeout=60), console.read_text()
        rendered = manage(
            "render_packs", "--language", "en", "--wait", "--timeout", "240"
        )
        assert "rendered 8, failed 0 in " in rendered, rendered
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    output = console.read_text()
    assert f"Dialogue: {base}/" in output
    assert "fontTools" not in output
    assert "Traceback" not in output
