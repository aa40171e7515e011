"""The packs' Celery tasks: render one pack, sweep, and the worker heartbeat."""

from celery import shared_task

from dialogue.packs.services import (
    record_worker_heartbeat,
    render_visa_letters_batch,
    sweep_stale_packs,
)
from dialogue.packs.services import render_pack as render_pack_service


@shared_task(bind=True)
def worker_heartbeat(self, *, token: str = "") -> None:
    """Record that this worker took a task from the broker and reached the database."""
    record_worker_heartbeat(self.request.hostname or "unknown", token=token)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    failure_recorder="dialogue.packs.services.record_pack_failure",
)
def render_pack(self, *, pack_id: int) -> str:
    """Render one pack (briefing pack or visa letter); return what happened.

    Idempotent: a redelivered or duplicate task skips a pack that is up to date
    or being rendered by a live worker. Soft and hard time limits and worker
    recycling come from the CELERY_* settings.
    """
    return render_pack_service(pack_id, worker=self.request.hostname or "")


@shared_task(ignore_result=True)
def sweep_packs() -> None:
    """Requeue packs whose worker died mid-render (see sweep_stale_packs)."""
    sweep_stale_packs()


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    failure_recorder="dialogue.packs.services.record_visa_letters_failure",
)
def render_visa_letters(self, *, pack_ids: list[int]) -> list[str]:
    """Render a batch of visa letters (queue_visa_letters) in one task.

    Each letter keeps its own lease and state, so a redelivered batch skips
    the letters already ready; staff follow the batch on the visa letters page.
    """
    return render_visa_letters_batch(pack_ids, worker=self.request.hostname or "")
