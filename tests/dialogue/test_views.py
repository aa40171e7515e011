import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
    }


@pytest.mark.django_db
def test_healthz_503_names_broker_when_unreachable(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "ok", "broker": "fail"},
        "failed": ["broker"],
    }


@pytest.mark.django_db
def test_healthz_reason_shown_to_staff_only(client, admin_user):
    client.force_login(admin_user)
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        body = client.get("/healthz").json()
    assert "127.0.0.1:1" in body["checks"]["broker"]


def test_healthz_503_names_database_when_unreachable():
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code); print(r.content.decode())"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "DJANGO_SETTINGS_MODULE": "dialogue.settings",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = result.stdout.strip().splitlines()
    assert status == "503", result.stderr
    assert json.loads(body)["failed"] == ["database"]


@pytest.mark.django_db
def test_home_has_language_switch_and_noindex(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="robots" content="noindex, nofollow"' in html
    assert 'action="/i18n/setlang/"' in html
    assert 'value="ru"' in html


@pytest.mark.django_db
def test_home_in_russian_after_switch(client):
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="ru">' in html
    assert "Портал" in html
