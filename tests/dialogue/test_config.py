"""Settings come from the environment and a bad one fails in one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dialogue.config import (
    SettingError,
    broker_from_env,
    cache_from_env,
    database_from_env,
    env_bool,
    env_seconds,
    env_size,
    redact_url,
    secret_key_from_env,
)

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    dropped = {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_database_url_default_is_sqlite_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = database_from_env(tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")


def test_database_url_postgres_is_parsed(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:pw@db.example:5433/dialogue")
    config = database_from_env(tmp_path / "x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == (
        "db.example",
        5433,
        "dialogue",
    )
    # Short queries only: no JIT compilation (see dialogue.config).
    assert config["OPTIONS"] == {"connect_timeout": 5, "options": "-c jit=off"}


def test_database_url_unknown_scheme_names_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "bogus://x")
    with pytest.raises(SettingError) as excinfo:
        database_from_env(tmp_path / "x")
    assert str(excinfo.value).startswith("DATABASE_URL: ")


def test_broker_default_is_filesystem_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    url, options = broker_from_env(tmp_path)
    assert url == "filesystem://"
    assert options["data_folder_in"] == str(tmp_path / "broker" / "queue")
    assert (tmp_path / "broker" / "queue").is_dir()


def test_broker_url_without_scheme_names_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("CELERY_BROKER_URL", "localhost:6379")
    with pytest.raises(SettingError) as excinfo:
        broker_from_env(tmp_path)
    assert str(excinfo.value).startswith("CELERY_BROKER_URL: ")


def test_secret_key_required_without_debug(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SettingError) as excinfo:
        secret_key_from_env(False, tmp_path)
    assert str(excinfo.value) == "SECRET_KEY: required when DEBUG is off"


def test_secret_key_generated_once_in_development(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key_from_env(True, tmp_path)
    assert len(first) >= 50
    assert secret_key_from_env(True, tmp_path) == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_env_bool_rejects_garbage(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(SettingError) as excinfo:
        env_bool("DEBUG", True)
    assert "DEBUG" in str(excinfo.value)


@pytest.mark.parametrize("raw", ["12MB", "0", "-5", "١٠"])
def test_env_size_names_the_setting_of_a_bad_size(monkeypatch, raw):
    monkeypatch.setenv("BADGE_PHOTO_MAX_BYTES", raw)
    with pytest.raises(SettingError) as excinfo:
        env_size("BADGE_PHOTO_MAX_BYTES", 5)
    assert str(excinfo.value).startswith("BADGE_PHOTO_MAX_BYTES: ")


def test_env_size_reads_bytes_or_keeps_the_default(monkeypatch):
    assert env_size("BADGE_PHOTO_MAX_BYTES", 5) == 5
    monkeypatch.setenv("BADGE_PHOTO_MAX_BYTES", " 2048 ")
    assert env_size("BADGE_PHOTO_MAX_BYTES", 5) == 2048


def test_cache_default_is_a_folder_under_var_web_and_worker_share(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("CACHE_URL", raising=False)
    cache = cache_from_env(tmp_path)["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert cache["LOCATION"] == str(tmp_path / "cache")


@pytest.mark.parametrize(
    ("raw", "backend"),
    [
        ("redis://127.0.0.1:6379/1", "redis.RedisCache"),
        ("file:///srv/dialogue-cache", "filebased.FileBasedCache"),
        ("locmem://", "locmem.LocMemCache"),
    ],
)
def test_cache_url_picks_the_backend(monkeypatch, tmp_path, raw, backend):
    monkeypatch.setenv("CACHE_URL", raw)
    cache = cache_from_env(tmp_path)["default"]
    assert cache["BACKEND"] == f"django.core.cache.backends.{backend}"


@pytest.mark.parametrize("raw", ["memcached://h:11211", "redis://", "file://rel"])
def test_cache_url_unknown_names_the_setting(monkeypatch, tmp_path, raw):
    monkeypatch.setenv("CACHE_URL", raw)
    with pytest.raises(SettingError) as excinfo:
        cache_from_env(tmp_path)
    assert str(excinfo.value).startswith("CACHE_URL: expected redis://")


def test_cache_url_error_hides_the_password(monkeypatch, tmp_path):
    monkeypatch.setenv("CACHE_URL", "memcached://u:s3cret@h:11211")
    with pytest.raises(SettingError) as excinfo:
        cache_from_env(tmp_path)
    assert "s3cret" not in str(excinfo.value)


@pytest.mark.parametrize("raw", ["ten", "-1", "1.5"])
def test_env_seconds_names_the_setting(monkeypatch, raw):
    monkeypatch.setenv("PAGE_CACHE_SECONDS", raw)
    with pytest.raises(SettingError) as excinfo:
        env_seconds("PAGE_CACHE_SECONDS", 600)
    assert str(excinfo.value).startswith("PAGE_CACHE_SECONDS: ")


def test_env_seconds_reads_zero_or_keeps_the_default(monkeypatch):
    assert env_seconds("PAGE_CACHE_SECONDS", 600) == 600
    monkeypatch.setenv("PAGE_CACHE_SECONDS", "0")
    assert env_seconds("PAGE_CACHE_SECONDS", 600) == 0


def test_manage_bad_cache_url_prints_one_line():
    result = run_manage("check", CACHE_URL="memcached://h")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: CACHE_URL: ")


def test_redact_url_hides_password():
    assert redact_url("redis://:s3cret@h:6379/0") == "redis://:***@h:6379/0"
    assert redact_url("postgres://u:pw@h/db") == "postgres://u:***@h/db"
    assert redact_url("filesystem://") == "filesystem://"


def test_manage_bad_database_url_prints_one_line():
    result = run_manage("check", DATABASE_URL="bogus://x")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: DATABASE_URL: ")


def test_manage_unreachable_database_prints_one_line():
    result = run_manage("migrate", DATABASE_URL="postgres://postgres@127.0.0.1:1/x")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: DATABASE_URL: cannot reach")


def test_preflight_unreachable_broker_names_setting():
    result = run_manage("preflight", CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert (
        "CELERY_BROKER_URL: the broker redis://127.0.0.1:1/0 does not answer"
        in (lines[0])
    )


def test_celery_worker_bad_setting_prints_one_line():
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "dialogue", "worker"],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": "bogus://x"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        line
        for line in result.stderr.strip().splitlines()
        if line.startswith("Configuration error: DATABASE_URL: ")
    ]


def test_check_deploy_passes_in_production_profile():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-production-secret-key-for-the-check-0123456789",
        ALLOWED_HOSTS="dialogue.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_profile_requires_allowed_hosts():
    result = run_manage("check", DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Configuration error: ALLOWED_HOSTS: required when DEBUG is off"
    )
