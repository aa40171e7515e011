from celery import shared_task

from dialogue.services import record_worker_heartbeat


@shared_task(bind=True)
def worker_heartbeat(self, *, token: str = "") -> None:
    """Record that this worker took a task from the broker and reached the database."""
    record_worker_heartbeat(self.request.hostname or "unknown", token=token)
