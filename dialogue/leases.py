"""Leases: a worker holding a row renews its claim; a dead worker's claim lapses.

A render or a send claims its row with `lease_expires_at` a few seconds ahead
and renews it from a background thread while it works. When the worker dies
(SIGKILL, out of memory, a lost host) the renewals stop, the lease lapses within
WORK_LEASE_SECONDS, and the next sweep of any worker queues the work again:
recovery in seconds, whatever the task's hard time limit.
"""

import datetime
import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger("dialogue.tasks")


def lease_seconds() -> int:
    return settings.WORK_LEASE_SECONDS


def lease_until(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(seconds=lease_seconds())


@contextmanager
def renewed_lease(queryset):
    """Renew lease_expires_at on the rows of queryset until the block ends.

    queryset should select only rows still claimed by this worker (e.g. by
    status and started_at), so a lapsed claim that another worker took over is
    never renewed from here.
    """
    stop = threading.Event()

    def renew():
        try:
            while not stop.wait(lease_seconds() / 3):
                queryset.update(lease_expires_at=lease_until())
        except Exception:  # the lease then lapses: the work is redone, not lost
            logger.exception("Could not renew a lease")
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=renew, name="lease-renewal", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
