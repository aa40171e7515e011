"""A real worker renders a set of packs in batches, each pack once.

A real Celery worker process, on whatever the run has: PostgreSQL and Redis,
or the embedded default (SQLite and the file broker). queue_packs cuts the
twenty English packs of a meeting into batches (render_pack_batch tasks, then
single packs at the end); the worker renders every pack once, each with its
own claim and state.
"""

import pytest
from django.conf import settings

from dialogue.fonts import warm_fonts
from dialogue.packs.models import Pack
from dialogue.packs.services import pack_batches, queue_packs
from tests.factories import DelegateFactory, DelegationFactory, MeetingFactory
from tests.services import WorkerProcess, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_renders_a_set_in_batches_each_pack_once(settings_media):
    meeting = MeetingFactory()
    for _ in range(20):
        DelegateFactory(delegation=DelegationFactory(meeting=meeting, country_code=""))
    warm_fonts()
    worker = WorkerProcess(extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)}).start()
    try:
        queued = queue_packs(meeting, languages=("en",)).queued
        batches = pack_batches(queued)
        done = wait_for(
            lambda: (
                Pack.objects.filter(pk__in=queued, status="ready").count()
                == len(queued)
            ),
            timeout=180,
        )
    finally:
        worker.stop()
    assert done, worker.output()
    assert len(queued) == 20
    assert [len(batch) for batch in batches] == [3, 3, 2, 2, 2] + [1] * 8
    log = worker.output()
    assert log.count("dialogue.packs.tasks.render_pack_batch[") >= 5, log
    rows = Pack.objects.filter(pk__in=queued).values_list("attempts", "pages")
    assert all(attempts == 1 and pages >= 3 for attempts, pages in rows), list(rows)
