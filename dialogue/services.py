"""Writes that belong to the project package itself."""

from django.db import transaction
from django.utils import timezone

from dialogue.models import WorkerHeartbeat


@transaction.atomic
def record_worker_heartbeat(hostname: str, *, token: str = "") -> WorkerHeartbeat:
    """Return the heartbeat row of a worker, updated to now.

    Side effects: creates or updates one WorkerHeartbeat row.
    """
    heartbeat, _created = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"seen_at": timezone.now(), "token": token}
    )
    return heartbeat
