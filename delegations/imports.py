"""Imports of delegates and flights as jobs that a Celery worker runs.

The admin stores the upload and creates an ImportJob (start_import_preview); a
worker reads the file and runs the dry run through the resources (the preview),
and after confirm_import the real run. No request reads or imports a file: a
10 MB CSV of 60,000 delegates takes minutes, far past the web's 30 s timeout.
The rules are the resources' and the services': every refused row is named, and
a file with any refused row writes nothing (the real run is one transaction).

Writes: start_import_preview, confirm_import, retry_import, run_import_job (the
worker's), record_import_failure (the task's failure recorder). Reads, for the
admin pages: job_progress, job_problems, recent_jobs.
"""

import datetime
import logging
import math
from dataclasses import asdict

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from delegations.models import ImportJob
from delegations.resources import ImportOutcome, RowProblem, import_dataset
from delegations.spreadsheets import (
    CSV_ENCODINGS,
    PrivateImportStorage,
    ProgressLog,
    UnreadableFile,
    detect_csv_encoding,
    read_dataset,
    sweep_import_tmp,
)
from dialogue.models import Meeting
from dialogue.tasking import TRANSIENT_ERRORS

logger = logging.getLogger("delegations.imports")

Status = ImportJob.Status
Phase = ImportJob.Phase

# The task's own time limits, past the portal's default (120 s): one phase of
# 60,000 rows takes about two minutes on PostgreSQL (README, "Benchmarks").
IMPORT_SOFT_TIME_LIMIT = 30 * 60
IMPORT_TIME_LIMIT = IMPORT_SOFT_TIME_LIMIT + 60
# A job still "running" after the hard time limit has no live worker (the limit
# would have killed it): another delivery of the task may take it over, and
# staff may retry it.
STALE_AFTER = datetime.timedelta(seconds=IMPORT_TIME_LIMIT + 60)
PREVIEW_ROWS = 100  # rows of the file shown before confirmation
PROGRESS_STEPS = 100  # reports per phase, so the bar moves by 1 %
PROGRESS_MAX_EVERY = 500  # but at least every 500 rows
# Raised inside a row, these stop the whole file rather than refuse the row:
# they say nothing about the row, and the task retries or fails visibly.
ABORT_ERRORS = (*TRANSIENT_ERRORS, SoftTimeLimitExceeded)


def csv_encoding(data: bytes, requested: str) -> str:
    """Return the encoding to read a CSV upload with: the one asked for, or the
    one detected."""
    if requested in CSV_ENCODINGS:
        return requested
    return detect_csv_encoding(data)


def _queue(job: ImportJob) -> None:
    from delegations.tasks import run_import

    run_import.enqueue(job_id=job.pk)


def _storage(job: ImportJob) -> PrivateImportStorage:
    return PrivateImportStorage(
        name=job.file_name, encoding=job.encoding or None, read_mode="rb"
    )


def progress_every(total: int) -> int:
    """Return after how many rows a phase of `total` rows reports progress."""
    return max(1, min(PROGRESS_MAX_EVERY, math.ceil(total / PROGRESS_STEPS)))


def is_stalled(job: ImportJob, *, now: datetime.datetime | None = None) -> bool:
    """Return True if the job is marked as running but no worker can be on it."""
    if job.status not in (Status.RUNNING, Status.IMPORTING) or not job.started_at:
        return False
    return job.started_at < (now or timezone.now()) - STALE_AFTER


# Writes -------------------------------------------------------------------


@transaction.atomic
def start_import_preview(
    upload,
    *,
    user,
    meeting: Meeting,
    kind: str,
    file_format: str,
    original_name: str = "",
    language: str | None = None,
    encoding: str = "detect",
) -> ImportJob:
    """Return a new import job for the uploaded file, queued for its preview.

    upload is the file's bytes or an uploaded file; encoding, for a CSV, is
    "utf-8-sig", "cp1251" or "detect" (delegations.spreadsheets.
    detect_csv_encoding decides, and the job keeps the answer). Side effects:
    stores the
    file in PrivateImportStorage (MEDIA_ROOT/import-tmp, readable by us only);
    creates the ImportJob (preview, queued); queues delegations.tasks.run_import
    once the transaction commits.
    """
    data = upload if isinstance(upload, bytes) else b"".join(upload.chunks())
    storage = PrivateImportStorage(read_mode="rb")
    storage.save(data)
    job = ImportJob.objects.create(
        user=user,
        meeting=meeting,
        kind=kind,
        file_name=storage.name,
        original_name=(original_name or getattr(upload, "name", ""))[:255],
        file_format=file_format,
        encoding=csv_encoding(data, encoding) if file_format == "csv" else "",
        language=(language or translation.get_language() or "en")[:10],
    )
    _queue(job)
    return job


@transaction.atomic
def confirm_import(job: ImportJob, *, user) -> ImportJob:
    """Return the job queued for the real import of its previewed file.

    Only a previewed job without a refused row whose file is still there can be
    confirmed (a database constraint refuses the rest); otherwise raises
    ValidationError saying why. Side effects: the job (phase confirm, queued,
    who confirmed and when); queues delegations.tasks.run_import after commit.
    """
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not job.may_confirm:
        raise ValidationError(
            _("This import cannot be confirmed: it is %(status)s.")
            % {"status": job.get_status_display()}
        )
    if not _storage(job).exists():
        raise ValidationError(
            _("The import file is no longer available; upload it again.")
        )
    job.phase = Phase.CONFIRM
    job.status = Status.QUEUED
    job.confirmed_by = user
    job.confirmed_at = timezone.now()
    job.rows_done = 0
    job.started_at = job.finished_at = None
    job.error = ""
    job.save()
    _queue(job)
    return job


@transaction.atomic
def retry_import(job: ImportJob) -> ImportJob:
    """Return the failed (or stalled) job queued again for the same phase.

    Raises ValidationError for a job that has not failed. Side effects: the job
    (queued, reason cleared); queues delegations.tasks.run_import after commit.
    """
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != Status.FAILED and not is_stalled(job):
        raise ValidationError(
            _("Only a failed import can be retried; this one is %(status)s.")
            % {"status": job.get_status_display()}
        )
    job.status = Status.QUEUED
    job.rows_done = 0
    job.started_at = job.finished_at = None
    job.error = ""
    job.save()
    _queue(job)
    return job


def run_import_job(job_id: int, *, worker: str = "") -> str:
    """Run the queued phase of the job (dry run or real run); return its status.

    Returns "" when there is nothing to do: the job is gone, or another worker
    runs it. Not one transaction on purpose: short ones take the job and record
    the outcome, and between them the file is imported in a transaction of its
    own (rolled back for the preview, and on any refused row). Side effects: in
    the confirm phase, every row of the file through the services, or none;
    the job's status, counts, refusals and preview; the phase's ProgressLog;
    removes the file once it is imported or refused. On an error the job is put
    back in the queue for the task's retry (record_import_failure marks it
    failed when the task gives up).
    """
    job = _claim(job_id, worker)
    if job is None:
        return ""
    try:
        with translation.override(job.language):
            return _record(job, _run(job))
    except BaseException:
        _release(job)
        raise


def record_import_failure(*, reason: str, final: bool, job_id=None, **kwargs) -> None:
    """Record why the import task failed: the job is failed when it gave up.

    The task's failure_recorder (dialogue.tasking). Side effects: the job's
    status (failed) and error; before a retry only the error, as a note.
    """
    if job_id is None:
        return
    jobs = ImportJob.objects.filter(pk=job_id)
    reason = reason or "unknown error"
    if final:
        jobs.filter(status__in=ImportJob.ACTIVE_STATUSES).update(
            status=Status.FAILED, error=reason, finished_at=timezone.now()
        )
    else:
        jobs.filter(status=Status.QUEUED).update(error=reason)


def _claim(job_id: int, worker: str) -> ImportJob | None:
    """Return the job marked as running by this worker, or None if not ours."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            # Only the job's row is locked (the user may be null: an outer join).
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("meeting", "user")
            .filter(pk=job_id)
            .first()
        )
        if job is None or not (job.status == Status.QUEUED or is_stalled(job, now=now)):
            return None
        job.status = Status.RUNNING if job.phase == Phase.PREVIEW else Status.IMPORTING
        job.started_at = now
        job.finished_at = None
        job.worker = worker[:200]
        job.attempts += 1
        job.rows_done = 0
        job.error = ""
        job.save()
    return job


def _release(job: ImportJob) -> None:
    """Put the job back in the queue, so that the task's retry may take it."""
    try:
        ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=Status.QUEUED, rows_done=0
        )
    except Exception:  # the database may be what failed; the log has it
        logger.exception("Could not put import job %s back in the queue", job.pk)


def _run(job: ImportJob) -> ImportOutcome | RowProblem:
    """Return the outcome of the job's phase, or the file's refusal."""
    try:
        dataset = read_dataset(_storage(job).read(), job.file_format, job.encoding)
    except UnreadableFile as exc:
        return RowProblem(None, "", str(exc))
    total = len(dataset)
    # A short write before the long import transaction: the page can say
    # "0 of 60,000" while the worker is on the first rows.
    ImportJob.objects.filter(pk=job.pk).update(rows_total=total)
    job.rows_total = total
    log = ProgressLog(job.file_name, job.phase)
    log.start(total)
    every = progress_every(total)

    def progress(done: int) -> None:
        if done % every == 0 or done == total:
            log.report(done, total)

    preview = job.phase == Phase.PREVIEW
    return import_dataset(
        dataset,
        kind=job.kind,
        meeting=job.meeting,
        dry_run=preview,
        user=job.user,
        progress=progress,
        sample_rows=PREVIEW_ROWS if preview else 0,
        abort_on=ABORT_ERRORS,
    )


def _record(job: ImportJob, outcome: ImportOutcome | RowProblem) -> str:
    if isinstance(outcome, RowProblem):  # the file could not be read
        problems, counts, sample, headers = [outcome], {}, [], []
    else:
        problems, counts = outcome.problems, outcome.counts
        sample, headers = outcome.sample, outcome.headers
    if problems:
        status = Status.REFUSED
    elif job.phase == Phase.PREVIEW:
        status = Status.PREVIEWED
    else:
        status = Status.DONE
    changes = {
        "status": status,
        "rows_done": F("rows_total"),
        "rows_new": counts.get("new", 0),
        "rows_updated": counts.get("update", 0),
        "rows_skipped": counts.get("skip", 0),
        "problem_count": len(problems),
        "problems": [asdict(problem) for problem in problems],
        "finished_at": timezone.now(),
    }
    if job.phase == Phase.PREVIEW:
        changes["preview"] = {"headers": headers, "rows": sample}
    ImportJob.objects.filter(pk=job.pk, status=job.status).update(**changes)
    if status != Status.PREVIEWED:
        # Imported, or refused and to be uploaded again: the file (names,
        # emails, phones) is not kept any longer.
        _storage(job).remove()
    return status


# The files still needed: waiting to be checked or imported, previewed (to be
# confirmed), or failed (to be retried).
FILE_NEEDED_STATUSES = (*ImportJob.ACTIVE_STATUSES, Status.PREVIEWED, Status.FAILED)
# An upload is written just before its job commits: a file younger than this
# without a job may be one of those.
ORPHAN_GRACE_SECONDS = 10 * 60


def jobs_needing(names: list[str]) -> dict[str, bool]:
    """Return, for each of the upload names that has a job, whether the job
    still needs the file."""
    needs: dict[str, bool] = {}
    for name, status in ImportJob.objects.filter(file_name__in=names).values_list(
        "file_name", "status"
    ):
        needs[name] = needs.get(name, False) or status in FILE_NEEDED_STATUSES
    return needs


def sweep_import_files() -> int:
    """Remove what import-tmp keeps of imports that are over; return how many.

    A worker's sweep (dialogue.sweeps), every PACK_SWEEP_INTERVAL seconds:
    without waiting for the next upload, the progress logs of refused and
    imported files go (the file itself went when the job ended), so do files
    whose job is gone, and, after a day, previews nobody confirmed.
    """
    return sweep_import_tmp(jobs_needing, grace=ORPHAN_GRACE_SECONDS)


# Reads (for the admin pages) -----------------------------------------------


def job_progress(job: ImportJob) -> tuple[int, int]:
    """Return (rows done, rows in the file) of the job's current phase."""
    done, total = job.rows_done, job.rows_total
    if job.status in (Status.RUNNING, Status.IMPORTING):
        last = ProgressLog(job.file_name, job.phase).last()
        if last is not None:
            done, total = max(done, last[0]), max(total, last[1])
    return min(done, total), total


def job_problems(job: ImportJob, *, limit: int | None = None) -> list[RowProblem]:
    """Return the job's refusals as RowProblems, in row order (the first limit)."""
    stored = job.problems if limit is None else job.problems[:limit]
    return [RowProblem(p["row"], p["column"], p["message"]) for p in stored]


def recent_jobs(user, *, kind: str, everyone: bool, limit: int = 10):
    """Return the latest jobs of this kind: the user's, or everyone's."""
    jobs = ImportJob.objects.filter(kind=kind).select_related("meeting", "user")
    if not everyone:
        jobs = jobs.filter(user=user)
    return list(jobs.defer("problems", "preview")[:limit])
