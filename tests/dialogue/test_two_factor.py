"""Staff log in with a password and a one-time code when two-factor is on."""

import io
import os
import subprocess
import sys
import time
from base64 import b32decode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.oath import TOTP

from tests.services import ROOT

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-password-2017"


@pytest.fixture
def two_factor(settings):
    settings.STAFF_TWO_FACTOR = True
    return settings


@pytest.fixture
def staff():
    return get_user_model().objects.create_superuser(
        "secretary", "secretary@un.example", PASSWORD
    )


def enroll(username: str, action: str = "enroll") -> dict:
    out = io.StringIO()
    call_command("two_factor", action, username, stdout=out)
    lines = out.getvalue().splitlines()
    return {
        "key": next(
            line.split(": ", 1)[1] for line in lines if line.startswith("key:")
        ),
        "url": next(
            line.split(": ", 1)[1] for line in lines if line.startswith("otpauth")
        ),
        "codes": [line.strip() for line in lines if line.startswith("  ")],
    }


def current_code(key_b32: str) -> str:
    totp = TOTP(b32decode(key_b32))
    totp.time = time.time()
    return f"{totp.token():06d}"


def log_in(client: Client, code: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "secretary", "password": PASSWORD, "otp_token": code},
    )


def test_password_alone_is_refused(two_factor, staff):
    enroll("secretary")
    client = Client()
    response = log_in(client, "")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_password_and_totp_code_let_staff_in(two_factor, staff):
    enrollment = enroll("secretary")
    assert enrollment["url"].startswith("otpauth://totp/Dialogue%20secretariat")
    client = Client()
    response = log_in(client, current_code(enrollment["key"]))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_wrong_code_is_refused(two_factor, staff):
    enrollment = enroll("secretary")
    wrong = f"{(int(current_code(enrollment['key'])) + 1) % 1_000_000:06d}"
    client = Client()
    assert log_in(client, wrong).status_code == 200
    assert client.get("/admin/").status_code == 302


def test_recovery_code_works_once(two_factor, staff):
    code = enroll("secretary")["codes"][0]
    first, second = Client(), Client()
    assert log_in(first, code).status_code == 302
    assert log_in(second, code).status_code == 200
    assert second.get("/admin/").status_code == 302


def test_reset_replaces_a_lost_device(two_factor, staff):
    old = enroll("secretary")
    with pytest.raises(CommandError, match="already has a second factor"):
        enroll("secretary")
    new = enroll("secretary", "reset")
    assert new["key"] != old["key"]
    assert log_in(Client(), old["codes"][0]).status_code == 200
    assert log_in(Client(), current_code(new["key"])).status_code == 302


def test_status_names_staff_without_second_factor(staff):
    get_user_model().objects.create_user("drafter", password=None, is_staff=True)
    enroll("secretary")
    out = io.StringIO()
    call_command("two_factor", "status", stdout=out)
    assert out.getvalue() == "no second factor: drafter\n"


def test_two_factor_is_on_whenever_debug_is_off():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a"}
    env.pop("STAFF_TWO_FACTOR", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.STAFF_TWO_FACTOR)",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "dialogue.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "True\n"
