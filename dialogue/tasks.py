"""The worker's start-up hook: warm caches, then sweep every few seconds.

What is swept (packs and emails whose worker died) is registered by the apps
(dialogue/sweeps.py), so this module imports no app.
"""

import logging
import threading

from celery.signals import worker_ready
from django.conf import settings
from django.db import close_old_connections

from dialogue.sweeps import run_beats, run_sweeps, run_warmups

logger = logging.getLogger("dialogue.tasks")


def _sweep_forever(interval: float, stop: threading.Event, node: str) -> None:
    while not stop.wait(interval):
        try:
            close_old_connections()
            if node:
                run_beats(node)
            run_sweeps()
        finally:
            close_old_connections()


@worker_ready.connect
def start_sweeper(sender=None, **kwargs) -> None:
    """At worker start, sweep now and every PACK_SWEEP_INTERVAL seconds.

    A worker killed with SIGKILL leaves its pack "rendering" (or its email
    "sending"); the next worker (or any live one) puts it back in the queue
    once its claim has lapsed. Redis redelivery of the unacked message is the
    second net.
    """
    node = getattr(sender, "hostname", "") or ""
    try:
        if node:
            run_beats(node)
        run_sweeps()
        run_warmups()
    finally:
        close_old_connections()
    interval = getattr(settings, "PACK_SWEEP_INTERVAL", 60)
    if interval > 0:
        stop = threading.Event()
        thread = threading.Thread(
            target=_sweep_forever,
            args=(interval, stop, node),
            name="stale-work-sweeper",
            daemon=True,
        )
        thread.start()
