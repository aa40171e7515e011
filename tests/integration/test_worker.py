"""A real Celery worker process, on Redis, writes to PostgreSQL."""

import uuid

import pytest

from dialogue.packs.models import WorkerHeartbeat
from dialogue.packs.tasks import worker_heartbeat
from tests.services import WorkerProcess, need_postgres, need_redis, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_heartbeat_task_writes_row_to_postgres():
    need_postgres()
    need_redis()
    token = uuid.uuid4().hex
    worker = WorkerProcess().start()
    try:
        worker_heartbeat.apply_async(kwargs={"token": token}, queue=worker.queue)
        row = wait_for(
            lambda: WorkerHeartbeat.objects.filter(token=token).first(), timeout=60
        )
    finally:
        worker.stop()
    assert row is not None, worker.output()
    assert row.hostname.startswith(worker.name)
