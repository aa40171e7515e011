"""The packs' Celery tasks: render one pack, sweep, and the worker heartbeat."""

from celery import shared_task

from dialogue.packs.services import (
    record_worker_heartbeat,
    sweep_stale_packs,
)
from dialogue.packs.services import render_pack as render_pack_service
from dialogue.packs.services import render_pack_batch as render_pack_batch_service
from dialogue.packs.services import (
    render_stale_packs as render_stale_packs_service,
)


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


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    failure_recorder="dialogue.packs.services.record_batch_failure",
)
def render_pack_batch(self, *, pack_ids: list[int]) -> list[str]:
    """Render a batch of packs one after the other; return what happened to each.

    Briefing packs of one meeting and edition (queue_packs), or a meeting's or
    delegation's visa letters (queue_visa_letters). Each pack keeps its own
    lease and state, so a redelivered batch skips the packs already ready;
    staff follow visa letters on their page.
    """
    return render_pack_batch_service(pack_ids, worker=self.request.hostname or "")


@shared_task(ignore_result=True)
def sweep_packs() -> None:
    """Requeue packs whose worker died mid-render (see sweep_stale_packs)."""
    sweep_stale_packs()


@shared_task(bind=True, ignore_result=True)
def render_stale_packs(self, *, meeting_id: int) -> str:
    """Re-render a meeting's stale packs once their inputs stop changing.

    Queued by mark_packs_stale with a countdown; queues itself again while edits
    keep arriving, so a burst of edits gives one render per pack.
    """
    return render_stale_packs_service(meeting_id, eager=bool(self.request.is_eager))
