"""docker-compose.yml and the Dockerfile have the production shape (no Docker here).

Both start the portal through scripts/production, the commands CI's third run
(tests/production) drives in a browser.
"""

import os
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "production"


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def script_branch(name: str) -> str:
    """Return the commands of one `case` branch of scripts/production."""
    match = re.search(rf"^  {name}\)\n(.*?)\n    ;;$", SCRIPT.read_text(), re.S | re.M)
    assert match, f"no {name}) branch in scripts/production"
    return " ".join(match[1].replace("\\\n", " ").split())


def test_compose_has_the_four_services():
    assert sorted(compose()["services"]) == ["db", "redis", "web", "worker"]


def test_web_and_worker_share_image_and_environment():
    services = compose()["services"]
    web, worker = services["web"], services["worker"]
    assert web["image"] == worker["image"]
    assert web["env_file"] == worker["env_file"]
    assert web["environment"] == worker["environment"]


def test_web_and_worker_start_through_scripts_production():
    services = compose()["services"]
    assert services["web"]["command"] == [
        "sh",
        "-c",
        "scripts/production release && exec scripts/production web",
    ]
    assert services["worker"]["command"] == ["scripts/production", "worker"]


def test_scripts_production_runs_the_production_commands():
    assert os.access(SCRIPT, os.X_OK)
    assert script_branch("release") == (
        "python manage.py migrate --noinput python manage.py collectstatic --noinput"
    )
    assert script_branch("web") == (
        'exec gunicorn dialogue.wsgi --bind "${BIND:-0.0.0.0:8000}" '
        '--workers "${WEB_WORKERS:-3}" --access-logfile -'
    )
    assert script_branch("worker") == (
        "exec celery -A dialogue worker --loglevel=INFO "
        '--hostname="${WORKER_NAME:-celery}@%h" '
        '--concurrency="${WORKER_CONCURRENCY:-2}"'
    )


def test_workers_run_one_process_per_node_on_each_core():
    """Sticky travel lists need one process per node (dialogue/routing.py)."""
    services = compose()["services"]
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["worker"]["environment"]["WORKER_CONCURRENCY"] == "1"


def test_scripts_production_refuses_debug():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    result = subprocess.run(
        [str(SCRIPT), "web"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr.startswith("scripts/production: set DEBUG=0")


def test_scripts_production_refuses_to_serve_without_a_shared_cache():
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    for command in ("web", "worker"):
        result = subprocess.run(
            [str(SCRIPT), command],
            env={**env, "DEBUG": "0"},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2
        assert result.stderr.startswith("scripts/production: set CACHE_URL")


def test_the_cache_is_a_redis_db_of_its_own():
    env = compose()["services"]["web"]["environment"]
    assert env["CACHE_URL"].startswith("redis://redis:6379/")
    assert env["CACHE_URL"] != env["CELERY_BROKER_URL"]


def test_database_is_postgres_16_with_volume_and_healthcheck():
    db = compose()["services"]["db"]
    assert db["image"].startswith("postgres:16")
    assert any(v.startswith("pgdata:") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_every_service_has_a_healthcheck():
    services = compose()["services"]
    assert [name for name, svc in services.items() if "healthcheck" not in svc] == []


def test_migrations_run_at_start_and_media_on_volume():
    data = compose()
    web = data["services"]["web"]
    assert "scripts/production release &&" in " ".join(web["command"])
    assert "migrate --noinput" in script_branch("release")
    assert any(v.startswith("media:") for v in web["volumes"])
    assert {"pgdata", "media"} <= set(data["volumes"])
    assert web["depends_on"]["db"]["condition"] == "service_healthy"


def test_environment_uses_documented_settings():
    env = compose()["services"]["web"]["environment"]
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "MEDIA_ROOT"):
        assert name in env
    assert env["DEBUG"] == "0"


def test_dockerfile_installs_cyrillic_fonts_and_compiles_messages():
    text = (ROOT / "Dockerfile").read_text()
    assert "fonts-dejavu-core" in text
    assert "compilemessages" in text
    assert "collectstatic" in text


def test_dockerfile_collects_static_with_production_settings():
    text = (ROOT / "Dockerfile").read_text()
    step = re.search(r"&& (DEBUG=\S+ .*?)python manage.py collectstatic", text, re.S)
    assert step, "collectstatic is not run with settings from the environment"
    words = step[1].replace("\\", " ").split()  # across the line continuation
    settings = dict(word.split("=", 1) for word in words)
    assert settings["DEBUG"] == "0"
    assert sorted(settings) == ["ALLOWED_HOSTS", "DEBUG", "SECRET_KEY"]


def test_image_starts_through_scripts_production_without_the_checkouts_venv():
    text = (ROOT / "Dockerfile").read_text()
    assert text.rstrip().splitlines()[-1] == 'CMD ["scripts/production", "web"]'
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".env", "var", "staticfiles"} <= set(ignored)
