"""Checks that the database and the broker answer, for /healthz and for startup."""

from django.conf import settings
from django.db import OperationalError as DatabaseOperationalError
from django.db import connection

from dialogue.config import redact_url


def check_database() -> str | None:
    """Return None when the database answers, else a one-line reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return first_line(exc)
    return None


def check_broker() -> str | None:
    """Return None when the Celery broker accepts a connection, else a reason."""
    from dialogue.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
    except Exception as exc:
        return first_line(exc)
    return None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0]


def explain_connection_error(exc: BaseException) -> str | None:
    """Return a one-line message naming the setting behind a connection error.

    manage.py uses it so that an unreachable database or broker reads as
    "DATABASE_URL: ..." instead of a wall of traceback.
    """
    from kombu.exceptions import OperationalError as BrokerOperationalError

    if isinstance(exc, DatabaseOperationalError):
        url = redact_url(_database_description())
        return f"DATABASE_URL: cannot reach the database {url} ({first_line(exc)})"
    if isinstance(exc, BrokerOperationalError):
        url = redact_url(settings.CELERY_BROKER_URL)
        return f"CELERY_BROKER_URL: cannot reach the broker {url} ({first_line(exc)})"
    return None


def _database_description() -> str:
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        return f"sqlite:///{db['NAME']}"
    return f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or ''}/{db['NAME']}"
