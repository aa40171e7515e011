"""Two transactions that wrote the same row at the same moment: retry, or say so.

Under REPEATABLE READ and SERIALIZABLE, PostgreSQL refuses the second of two
transactions that update the same row (SQLSTATE 40001, "could not serialize
access"); the database rules make every writer for a delegation's funded
delegates, a frozen version's paragraphs and so on touch one shared row, so
that is how a race ends there. At any level two writers can also deadlock
(40P01). Either way the refused transaction wrote nothing, and running the
same work again in a new transaction (which sees the other's result) is the
cure.

Only the code that owns the transaction can start it again: inside a caller's
transaction the snapshot, and the failure, are the caller's. So a service
decorated with ``retry_on_write_conflict``

- run outside any transaction (a view, a task, the shell) starts again, up to
  ``attempts`` times, with a short random pause; its second run gives the
  ordinary answer (saved, or the quota's message naming who is funded);
- run inside a decorated service leaves the retry to that outer service;
- run inside someone else's transaction (the admin's change form, an import
  file's one transaction) turns the failure into the ValidationError that
  ``explain`` returns: "changed by someone else at the same moment, try again",
  which those callers already show. Celery tasks retry OperationalError
  themselves (dialogue.tasking).
"""

import functools
import random
import threading
import time
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

WRITE_CONFLICTS = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
}

_local = threading.local()


def is_write_conflict(exc: BaseException) -> bool:
    """Return True if the database refused exc's transaction for a concurrent one."""
    cause = exc.__cause__ if isinstance(exc, OperationalError) else exc
    return getattr(cause, "pgcode", None) in WRITE_CONFLICTS


def retry_on_write_conflict(
    *, explain: Callable[..., ValidationError], attempts: int = 4
):
    """Return a decorator for a service (put it above @transaction.atomic).

    explain(*args, **kwargs) gets the service's arguments and returns the
    ValidationError to raise when the service cannot start again (inside a
    caller's transaction, or after the last attempt).
    """

    def decorate(service):
        @functools.wraps(service)
        def run(*args, **kwargs):
            if getattr(_local, "retrying", False):
                return service(*args, **kwargs)  # the outer service starts again
            tries = 1 if connection.in_atomic_block else attempts
            _local.retrying = tries > 1
            try:
                for attempt in range(1, tries + 1):
                    try:
                        return service(*args, **kwargs)
                    except OperationalError as exc:
                        if not is_write_conflict(exc):
                            raise
                        if attempt == tries:
                            raise explain(*args, **kwargs) from exc
                    # Apart, so that the writers that collided do not again.
                    time.sleep(random.uniform(0.01, 0.05) * attempt)
            finally:
                _local.retrying = False

        return run

    return decorate
