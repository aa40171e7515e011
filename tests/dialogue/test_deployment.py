"""docker-compose.yml and the Dockerfile have the production shape (no Docker here)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_four_services():
    assert sorted(compose()["services"]) == ["db", "redis", "web", "worker"]


def test_web_and_worker_share_image_and_environment():
    services = compose()["services"]
    web, worker = services["web"], services["worker"]
    assert web["image"] == worker["image"]
    assert web["env_file"] == worker["env_file"]
    assert web["environment"] == worker["environment"]
    assert "gunicorn" in " ".join(web["command"])
    assert worker["command"][:4] == ["celery", "-A", "dialogue", "worker"]


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
    assert "migrate" in " ".join(web["command"])
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
