from celery import shared_task

from delegations.imports import (
    IMPORT_SOFT_TIME_LIMIT,
    IMPORT_TIME_LIMIT,
    run_import_job,
)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_TIME_LIMIT,
    failure_recorder="delegations.imports.record_import_failure",
)
def run_import(self, *, job_id: int) -> str:
    """Run the queued phase (preview or import) of an import job; return its status.

    Idempotent: a duplicate or redelivered message finds the job taken (or
    finished) and returns "" without touching it.
    """
    return run_import_job(job_id, worker=self.request.hostname or "")
