import logging
import threading

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import close_old_connections

from dialogue.outbox.services import sweep_stale_emails
from dialogue.services import record_worker_heartbeat, sweep_stale_packs
from dialogue.services import render_pack as render_pack_service

logger = logging.getLogger("dialogue.packs")


@shared_task(bind=True)
def worker_heartbeat(self, *, token: str = "") -> None:
    """Record that this worker took a task from the broker and reached the database."""
    record_worker_heartbeat(self.request.hostname or "unknown", token=token)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    failure_recorder="dialogue.services.record_pack_failure",
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


def _sweep_forever(interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            close_old_connections()
            sweep_stale_packs()
            sweep_stale_emails()
        except Exception:  # keep sweeping; the next round may succeed
            logger.exception("Stale-pack sweep failed")
        finally:
            close_old_connections()


@worker_ready.connect
def start_stale_pack_sweeper(sender=None, **kwargs) -> None:
    """At worker start, requeue stale packs now and every PACK_SWEEP_INTERVAL s.

    A worker killed with SIGKILL leaves its pack "rendering"; the next worker
    (or any live one) puts it back in the queue once the hard time limit has
    passed. Redis redelivery of the unacked message is the second net.
    """
    try:
        sweep_stale_packs()
    except Exception:
        logger.exception("Stale-pack sweep failed at worker start")
    try:
        from dialogue.packs.fetcher import warm_fonts

        warm_fonts()
    except Exception:
        logger.exception("Could not prepare the pack fonts")
    finally:
        close_old_connections()
    interval = getattr(settings, "PACK_SWEEP_INTERVAL", 60)
    if interval > 0:
        stop = threading.Event()
        thread = threading.Thread(
            target=_sweep_forever,
            args=(interval, stop),
            name="stale-pack-sweeper",
            daemon=True,
        )
        thread.start()
