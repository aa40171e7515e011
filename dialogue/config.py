"""Read settings from the environment, failing with one line that names the setting."""

import os
import secrets
from pathlib import Path

import dj_database_url


class SettingError(Exception):
    """A setting from the environment is missing or malformed.

    manage.py, wsgi and the Celery app print it as one line instead of a traceback.
    """

    def __init__(self, name: str, problem: str):
        self.name = name
        super().__init__(f"{name}: {problem}")


TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise SettingError(name, f"expected 1/0, true/false, yes/no or on/off, got {raw!r}")


def env_size(name: str, default: int) -> int:
    """A size in bytes (an upload limit): a whole number above 0."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) == 0:
        raise SettingError(name, f"expected a size in bytes above 0, got {raw!r}")
    return int(raw)


def env_seconds(name: str, default: int) -> int:
    """A number of seconds: a whole number, 0 or more."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise SettingError(name, f"expected a whole number of seconds, got {raw!r}")
    return int(raw)


def cache_from_env(var_dir: Path) -> dict:
    """Return CACHES from CACHE_URL: redis://host:6379/1, file:///path or locmem://.

    Unset, a folder under var/: the web process and the worker are separate
    processes, and a page kept in one must stop when the other changes its
    inputs (delegations.page_cache), so the cache is one they share. Local
    memory is per process: only where one process does everything.
    """
    raw = os.environ.get("CACHE_URL", "").strip()
    if not raw:
        return file_cache(var_dir / "cache")
    scheme, _, rest = raw.partition("://")
    if scheme in {"redis", "rediss"} and rest:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": raw,
                "KEY_PREFIX": "dialogue",
            }
        }
    if scheme == "file" and rest.startswith("/"):
        return file_cache(Path(rest))
    if scheme == "locmem" and not rest:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    raise SettingError(
        "CACHE_URL",
        f"expected redis://host:6379/1, file:///absolute/folder or locmem://, "
        f"got {redact_url(raw)!r}",
    )


def file_cache(folder: Path) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(folder),
            # Past this many files, a third is dropped at random (versions
            # included: a dropped version is made anew, never an old one).
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_env(default_sqlite: Path) -> dict:
    raw = os.environ.get("DATABASE_URL", "").strip()
    if not raw:
        return sqlite_database(default_sqlite)
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several kinds
        raise SettingError(
            "DATABASE_URL", f"cannot parse {redact_url(raw)!r} ({exc})"
        ) from None
    if not config.get("ENGINE"):
        raise SettingError("DATABASE_URL", f"unknown scheme in {redact_url(raw)!r}")
    if config["ENGINE"] == "django.db.backends.postgresql":
        options = config.setdefault("OPTIONS", {})
        options["connect_timeout"] = 5
        # No JIT compilation: the portal's queries are short, and a grouped
        # count over 20,000 delegates is estimated costly enough to be
        # compiled, which took 0.8 s of its 0.95 s (bench/scale.py).
        options.setdefault("options", "-c jit=off")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config = {**config, **sqlite_database(Path(config["NAME"]))}
    return config


def sqlite_database(path: Path) -> dict:
    """Return the settings of an SQLite database that web and worker share safely.

    WAL lets readers go on while one connection writes; the busy timeout makes a
    writer wait for the lock instead of failing at once; IMMEDIATE transactions
    take the write lock at BEGIN, so two transactions never both read and then
    deadlock on upgrading to a write ("database is locked" with no wait at all).
    The test database is a file beside it, so that a worker process sees it.
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON"
            ),
        },
        # One file per test process: two test runs at once must not share it.
        "TEST": {"NAME": str(path.with_name(f"test_{os.getpid()}_{path.name}"))},
    }


def broker_from_env(var_dir: Path) -> tuple[str, dict]:
    raw = os.environ.get("CELERY_BROKER_URL", "").strip()
    if not raw:
        # kombu's filesystem transport needs no server: messages are files.
        folder = var_dir / "broker"
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return "filesystem://", {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            # kombu's default is ./control in the working directory.
            "control_folder": str(folder / "control"),
            # kombu looks for new files once a second by default: 200 emails
            # would take minutes. A listing of a small folder costs little.
            "polling_interval": 0.1,
        }
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in {"redis", "rediss", "amqp", "amqps", "filesystem", "memory"}:
        raise SettingError(
            "CELERY_BROKER_URL",
            f"unsupported or missing scheme in {redact_url(raw)!r}; "
            "use redis://host:6379/0",
        )
    return raw, {}


def secret_key_from_env(debug: bool, var_dir: Path) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if not debug:
        raise SettingError("SECRET_KEY", "required when DEBUG is off")
    # Development: generate once and keep it, so sessions survive restarts.
    path = var_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def site_url_from_env(debug: bool, var_dir: Path) -> str:
    """Return the portal's public base URL (no trailing slash).

    SITE_URL when set; in development, else the address `make demo` serves on
    (var/site-url); else http://127.0.0.1:8000.
    """
    raw = os.environ.get("SITE_URL", "").strip()
    if not raw and debug:
        written = var_dir / "site-url"
        raw = written.read_text().strip() if written.is_file() else ""
    raw = raw or "http://127.0.0.1:8000"
    if not raw.startswith(("http://", "https://")) or len(raw.split("://", 1)[1]) < 1:
        raise SettingError("SITE_URL", f"expected http(s)://host[:port], got {raw!r}")
    return raw.rstrip("/")


def redact_url(url: str) -> str:
    """Return the URL with any password replaced, safe to print."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url
