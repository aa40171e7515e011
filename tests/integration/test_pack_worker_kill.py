"""A worker killed with SIGKILL mid-render does not leave its pack stuck.

Real Celery worker processes on Redis and PostgreSQL: the first worker takes
the pack and is killed (the whole process group) while the pack is
"rendering"; a second worker requeues the stale pack (its sweep runs every
second here) and renders it. The hard time limit is short so that "stale"
comes quickly: rendering longer than the hard limit plus the grace period.
"""

import os
import signal

import pytest
from pypdf import PdfReader

from dialogue.models import Pack
from dialogue.packs.fetcher import warm_fonts
from dialogue.packs.files import absolute
from dialogue.services import STALE_GRACE, queue_packs
from tests.factories import DelegateFactory, DelegationFactory, MeetingFactory
from tests.services import WorkerProcess, need_postgres, need_redis, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

HARD_LIMIT = 15


def big_meeting():
    """A meeting whose bilingual pack takes a few seconds to lay out."""
    meeting = MeetingFactory(background_en="Background. " * 400)
    delegations = [
        DelegationFactory(meeting=meeting, country_code="") for _ in range(60)
    ]
    for delegation in delegations:
        for _ in range(3):
            DelegateFactory(delegation=delegation)
    return meeting, delegations[0]


def test_killed_worker_pack_is_rendered_by_next_worker(settings, tmp_path):
    need_postgres()
    need_redis()
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_TIME_LIMIT": str(HARD_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(HARD_LIMIT - 3),
        "PACK_SWEEP_INTERVAL": "1",
    }
    meeting, delegation = big_meeting()
    warm_fonts()  # so the first render is not the (once per machine) font build
    first = WorkerProcess(extra_env=env).start()
    try:
        result = queue_packs(
            meeting, delegation_ids=[delegation.pk], languages=("bilingual",)
        )
        assert len(result.queued) == 1
        pack_id = result.queued[0]
        rendering = wait_for(
            lambda: Pack.objects.filter(pk=pack_id, status="rendering").exists(),
            timeout=60,
            interval=0.02,
        )
        assert rendering, first.output()
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
    finally:
        first.stop()
    stuck = Pack.objects.get(pk=pack_id)
    assert (stuck.status, stuck.file, stuck.attempts) == ("rendering", "", 1)

    second = WorkerProcess(extra_env=env).start()
    try:
        bound = HARD_LIMIT + STALE_GRACE.total_seconds() + 60
        ready = wait_for(
            lambda: Pack.objects.filter(pk=pack_id, status="ready").first(),
            timeout=bound,
        )
    finally:
        second.stop()
    assert ready is not None, second.output()
    assert ready.attempts == 2
    assert ready.worker.startswith(second.name)
    reader = PdfReader(absolute(ready.file))
    assert len(reader.pages) == ready.pages
    assert "/StructTreeRoot" in reader.trailer["/Root"]
