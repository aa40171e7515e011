"""Import jobs: the preview and the real run of a file, run by the Celery task
(eagerly in this process here; by a real worker in the last tests), with every
refused row kept, progress from 0 to the total, and failures visible and
retried."""

import contextlib
import datetime
import os
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from delegations.imports import (
    STALE_AFTER,
    confirm_import,
    job_progress,
    progress_every,
    record_import_failure,
    retry_import,
    run_import_job,
    start_import_preview,
)
from delegations.models import Delegate, FlightLeg, ImportJob
from delegations.spreadsheets import ProgressLog, import_tmp_dir
from delegations.tasks import run_import
from tests.delegations.test_resources import (
    DELEGATE_HEADER,
    FLIGHT_HEADER,
    delegate_row,
    flight_row,
    to_csv,
    to_xlsx,
    written,
)
from tests.factories import DelegateFactory, DelegationFactory
from tests.services import (
    WorkerProcess,
    database_url_for_subprocess,
    wait_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def tasks(django_capture_on_commit_callbacks, eager_celery):
    """Run the tasks a block queues, in this process, when it commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def secretary(db):
    return get_user_model().objects.create_user("sec", password=None, is_staff=True)


@pytest.fixture
def kazakhstan(meeting):
    return DelegationFactory(
        meeting=meeting, country_code="KZ", name_en="Kazakhstan", funded_quota=3
    )


def preview(tasks, meeting, user, data, *, kind="delegates", file_format="csv"):
    with tasks():
        job = start_import_preview(
            data,
            user=user,
            meeting=meeting,
            kind=kind,
            file_format=file_format,
            original_name=f"file.{file_format}",
            language="en",
        )
    job.refresh_from_db()
    return job


def confirm(tasks, job, user):
    with tasks():
        confirm_import(job, user=user)
    job.refresh_from_db()
    return job


def stored(job) -> bool:
    return (import_tmp_dir() / job.file_name).exists()


# Preview and confirm ---------------------------------------------------------


def test_start_import_preview_stores_file_and_queues_job(
    meeting, secretary, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = start_import_preview(
            b"delegation\n",
            user=secretary,
            meeting=meeting,
            kind="delegates",
            file_format="csv",
            original_name="a.csv",
            language="ru",
        )
    assert len(queued) == 1  # the task, published once the job is committed
    job.refresh_from_db()
    assert (job.status, job.phase, job.rows_done, job.rows_total) == (
        "queued",
        "preview",
        0,
        0,
    )
    assert (job.encoding, job.language, job.original_name) == (
        "utf-8-sig",
        "ru",
        "a.csv",
    )
    path = import_tmp_dir() / job.file_name
    assert path.read_bytes() == b"delegation\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_preview_job_checks_the_file_and_writes_nothing(
    tasks, meeting, secretary, kazakhstan
):
    before = written()
    rows = [delegate_row(n) for n in range(1, 6)]
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, rows))
    assert job.status == "previewed"
    assert (job.rows_done, job.rows_total) == (5, 5)
    assert (job.rows_new, job.rows_updated, job.rows_skipped) == (5, 0, 0)
    assert (job.problem_count, job.problems) == (0, [])
    assert job.preview["headers"] == DELEGATE_HEADER
    assert [(r["row"], r["type"]) for r in job.preview["rows"]] == [
        (2, "new"),
        (3, "new"),
        (4, "new"),
        (5, "new"),
        (6, "new"),
    ]
    assert job.preview["rows"][0]["cells"] == [
        delegate_row(1)[c] for c in DELEGATE_HEADER
    ]
    assert written() == before
    assert stored(job)  # kept for the confirmation
    assert job.attempts == 1


def test_preview_progress_goes_from_zero_to_total(
    tasks, meeting, secretary, kazakhstan
):
    rows = [delegate_row(n) for n in range(1, 6)]
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, rows))
    assert ProgressLog(job.file_name, "preview").entries() == [
        (0, 5),
        (1, 5),
        (2, 5),
        (3, 5),
        (4, 5),
        (5, 5),
    ]
    assert job_progress(job) == (5, 5)


def test_progress_reported_about_a_hundred_times_at_most_every_500_rows():
    assert [progress_every(n) for n in (0, 5, 100, 101, 1000, 60000, 10**6)] == [
        1,
        1,
        1,
        2,
        10,
        500,
        500,
    ]


def test_progress_of_a_running_job_comes_from_its_log(meeting, secretary):
    job = ImportJob.objects.create(
        user=secretary,
        meeting=meeting,
        kind="delegates",
        file_name="a" * 32,
        file_format="csv",
        status="running",
        rows_total=60000,
        started_at=timezone.now(),
    )
    log = ProgressLog(job.file_name, "preview")
    log.start(60000)
    assert job_progress(job) == (0, 60000)
    log.report(1500, 60000)
    assert job_progress(job) == (1500, 60000)
    with log.path.open("a") as file:
        file.write("2000 6")  # a line still being written is not read
    assert job_progress(job) == (1500, 60000)


def test_confirm_job_imports_every_row(tasks, meeting, secretary, kazakhstan):
    rows = [delegate_row(n) for n in range(1, 4)]
    rows.append(delegate_row(4, funded="yes"))
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, rows))
    job = confirm(tasks, job, secretary)
    assert (job.phase, job.status) == ("confirm", "done")
    assert (job.rows_done, job.rows_total) == (4, 4)
    assert (job.rows_new, job.rows_updated, job.rows_skipped) == (4, 0, 0)
    assert job.confirmed_by == secretary
    assert sorted(Delegate.objects.values_list("email", flat=True)) == [
        "aidar1@mfa.example",
        "aidar2@mfa.example",
        "aidar3@mfa.example",
        "aidar4@mfa.example",
    ]
    # The history says who imported each row, though a worker has no request.
    assert {h.history_user for h in Delegate.history.all()} == {secretary}
    assert not stored(job)
    assert ProgressLog(job.file_name, "confirm").entries() == [
        (0, 4),
        (1, 4),
        (2, 4),
        (3, 4),
        (4, 4),
    ]


def test_confirm_again_updates_rows(tasks, meeting, secretary, kazakhstan):
    DelegateFactory(delegation=kazakhstan, email="aidar1@mfa.example")
    data = to_csv(DELEGATE_HEADER, [delegate_row(1, position_en="Minister")])
    job = confirm(tasks, preview(tasks, meeting, secretary, data), secretary)
    assert (job.status, job.rows_new, job.rows_updated) == ("done", 0, 1)
    assert Delegate.objects.get().position_en == "Minister"


def test_xlsx_job_previewed_and_imported(tasks, meeting, secretary, kazakhstan):
    data = to_xlsx(DELEGATE_HEADER, [delegate_row(1, funded=True)])
    job = preview(tasks, meeting, secretary, data, file_format="xlsx")
    assert (job.status, job.encoding) == ("previewed", "")
    job = confirm(tasks, job, secretary)
    assert job.status == "done"
    assert Delegate.objects.get().funded is True


def test_flights_job_imported(tasks, meeting, secretary, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan, email="aidar1@mfa.example")
    data = to_csv(FLIGHT_HEADER, [flight_row("aidar1@mfa.example")])
    job = preview(tasks, meeting, secretary, data, kind="flights")
    assert job.status == "previewed"
    job = confirm(tasks, job, secretary)
    assert (job.status, job.rows_new) == ("done", 1)
    assert FlightLeg.objects.get().delegate == delegate


# Refused files ---------------------------------------------------------------


def test_refused_file_writes_nothing_and_keeps_every_refused_row(
    tasks, meeting, secretary, kazakhstan
):
    before = written()
    rows = []
    expected = []
    for n in range(1, 301):
        if n % 3 == 0:
            rows.append(delegate_row(n, phone="555"))
            expected.append(
                {
                    "row": n + 1,
                    "column": "phone",
                    "message": "Enter the phone number in international form with "
                    "its country code, e.g. +993 12 345678.",
                }
            )
        else:
            rows.append(delegate_row(n))
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, rows))
    assert job.status == "refused"
    assert job.problem_count == 100
    assert job.problems == expected
    assert (job.rows_done, job.rows_total) == (300, 300)
    assert written() == before
    assert not stored(job)  # to be corrected and uploaded again
    with pytest.raises(ValidationError) as refusal:
        confirm_import(job, user=secretary)
    assert refusal.value.messages == ["This import cannot be confirmed: it is refused."]


def test_refused_rows_keep_the_uploaders_language(
    tasks, meeting, secretary, kazakhstan
):
    with tasks():
        job = start_import_preview(
            to_csv(DELEGATE_HEADER, [delegate_row(1, email="x@")]),
            user=secretary,
            meeting=meeting,
            kind="delegates",
            file_format="csv",
            language="ru",
        )
    job.refresh_from_db()
    assert job.problems == [
        {
            "row": 2,
            "column": "email",
            "message": "Введите правильный адрес электронной почты.",
        }
    ]


def test_unreadable_file_refused_as_a_whole(tasks, meeting, secretary):
    job = preview(
        tasks, meeting, secretary, b"PK\x03\x04 not a zip", file_format="xlsx"
    )
    assert job.status == "refused"
    assert job.problems == [
        {
            "row": None,
            "column": "",
            "message": "This is not an XLSX file. Choose the format that matches "
            "the file.",
        }
    ]


def test_confirm_refused_when_data_changed_since_preview(
    tasks, meeting, secretary, kazakhstan
):
    rows = [delegate_row(1, funded="yes"), delegate_row(2)]
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, rows))
    assert job.status == "previewed"
    for n in range(3):
        DelegateFactory(delegation=kazakhstan, funded=True, name_latin=f"Early {n}")
    before = written()
    job = confirm(tasks, job, secretary)
    assert (job.phase, job.status, job.problem_count) == ("confirm", "refused", 1)
    assert [(p["row"], p["column"]) for p in job.problems] == [(2, "funded")]
    assert job.problems[0]["message"].startswith(
        "Kazakhstan already has 3 funded delegates"
    )
    assert written() == before
    assert not stored(job)


def test_confirm_needs_the_file(tasks, meeting, secretary, kazakhstan):
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, [delegate_row(1)]))
    (import_tmp_dir() / job.file_name).unlink()
    with pytest.raises(ValidationError) as refusal:
        confirm_import(job, user=secretary)
    assert refusal.value.messages == [
        "The import file is no longer available; upload it again."
    ]


def test_confirm_twice_queues_once(tasks, meeting, secretary, kazakhstan):
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, [delegate_row(1)]))
    confirm_import(job, user=secretary)  # queued, not run (no commit in the test)
    with pytest.raises(ValidationError) as refusal:
        confirm_import(job, user=secretary)
    assert refusal.value.messages == ["This import cannot be confirmed: it is queued."]


# The task: gone, taken, failed, retried ----------------------------------------


def test_task_returns_quietly_for_a_job_that_is_gone(eager_celery):
    assert run_import.apply(kwargs={"job_id": 987654}).get() == ""


def test_task_leaves_a_finished_or_running_job_alone(
    tasks, meeting, secretary, kazakhstan
):
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, [delegate_row(1)]))
    assert run_import_job(job.pk) == ""  # a duplicate delivery
    ImportJob.objects.filter(pk=job.pk).update(
        phase="confirm", status="importing", started_at=timezone.now()
    )
    assert run_import_job(job.pk) == ""  # another worker has it
    assert Delegate.objects.count() == 0


def test_stalled_job_taken_over_by_the_next_delivery(
    tasks, meeting, secretary, kazakhstan
):
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, [delegate_row(1)]))
    # Its worker died mid-import, longer ago than the hard time limit.
    ImportJob.objects.filter(pk=job.pk).update(
        phase="confirm",
        status="importing",
        started_at=timezone.now() - STALE_AFTER - datetime.timedelta(seconds=1),
    )
    assert run_import_job(job.pk, worker="w2") == "done"
    job.refresh_from_db()
    assert (job.status, job.worker, job.attempts) == ("done", "w2", 2)
    assert Delegate.objects.count() == 1


def test_failed_job_is_marked_with_its_reason_and_retried(
    tasks, meeting, secretary, kazakhstan
):
    data = to_csv(DELEGATE_HEADER, [delegate_row(1)])
    with tasks():
        job = start_import_preview(
            data, user=secretary, meeting=meeting, kind="delegates", file_format="csv"
        )
        # The storage breaks before the worker reads the file: not a refusal
        # of the file, an error the task gives up on.
        path = import_tmp_dir() / job.file_name
        path.unlink()
        path.mkdir()
    job.refresh_from_db()
    assert (job.phase, job.status) == ("preview", "failed")
    assert job.error == f"IsADirectoryError: [Errno 21] Is a directory: '{path}'"
    assert job.finished_at is not None

    path.rmdir()
    path.write_bytes(data)
    with tasks():
        retry_import(job)
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == ("previewed", "", 2)


def test_retry_refused_for_a_job_that_has_not_failed(
    tasks, meeting, secretary, kazakhstan
):
    job = preview(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, [delegate_row(1)]))
    with pytest.raises(ValidationError) as refusal:
        retry_import(job)
    assert refusal.value.messages == [
        "Only a failed import can be retried; this one is checked, waiting for "
        "confirmation."
    ]


def test_failure_before_a_retry_is_noted_and_job_stays_queued(meeting, secretary):
    job = ImportJob.objects.create(
        user=secretary,
        meeting=meeting,
        kind="delegates",
        file_name="b" * 32,
        file_format="csv",
    )
    record_import_failure(
        reason="OperationalError: database is locked", final=False, job_id=job.pk
    )
    job.refresh_from_db()
    assert (job.status, job.error) == ("queued", "OperationalError: database is locked")
    record_import_failure(reason="OperationalError: gone", final=True, job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "OperationalError: gone")


# Database constraints -------------------------------------------------------------


def make_job(meeting, **fields):
    with transaction.atomic():
        return ImportJob.objects.create(
            **{
                "meeting": meeting,
                "kind": "delegates",
                "file_name": "c" * 32,
                "file_format": "csv",
                **fields,
            }
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "finished"},
        {"phase": "preview", "status": "done"},
        {"phase": "confirm", "status": "previewed"},
        {"rows_done": 11, "rows_total": 10},
        {"phase": "confirm", "status": "importing", "problem_count": 1},
        {"status": "failed", "error": ""},
        {"kind": "passports"},
        {"file_format": "ods"},
    ],
)
def test_database_refuses_an_impossible_job(meeting, fields):
    with pytest.raises(IntegrityError):
        make_job(meeting, **fields)


def test_database_accepts_the_statuses_of_each_phase(meeting):
    for status in ("queued", "running", "previewed", "refused"):
        make_job(meeting, phase="preview", status=status)
    for status in ("queued", "importing", "done", "refused"):
        make_job(meeting, phase="confirm", status=status)
    make_job(meeting, phase="confirm", status="refused", problem_count=3)
    make_job(meeting, status="failed", error="TimeLimitExceeded")
    make_job(meeting, rows_done=10, rows_total=10)
    assert ImportJob.objects.count() == 11


# A real worker ----------------------------------------------------------------------


def worker_for_this_database(media_root, queue: str) -> WorkerProcess:
    """Return a worker on the broker and database this test uses, on its own queue.

    SQLite (the embedded default, with the file broker under var/) or
    PostgreSQL and Redis: the same code path, as people run it.
    """
    if connection.vendor == "postgresql":
        database_url = database_url_for_subprocess()
    else:
        database_url = f"sqlite:///{connection.settings_dict['NAME']}"
    return WorkerProcess(
        queue=queue,
        extra_env={"DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)},
    )


@contextlib.contextmanager
def worker_taking_this_tests_tasks(media_root, queue: str):
    """Run a real worker on a queue of its own, where this test's tasks go."""
    from dialogue.celery import app

    worker = worker_for_this_database(media_root, queue)
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = worker.queue
    worker.start()
    try:
        yield worker
    finally:
        app.conf.task_default_queue = previous
        worker.stop()


@pytest.fixture
def real_worker(private_media):
    with worker_taking_this_tests_tasks(
        private_media, f"imports-{os.getpid()}"
    ) as worker:
        yield worker


def wait_for_status(job, statuses, timeout=120):
    def seen():
        job.refresh_from_db()
        return job.status in statuses

    return wait_for(seen, timeout=timeout, interval=0.1)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_previews_then_imports_with_progress(real_worker, meeting):
    user = get_user_model().objects.create_user("sec", password=None, is_staff=True)
    DelegationFactory(meeting=meeting, country_code="KZ", funded_quota=3)
    rows = [delegate_row(n) for n in range(1, 1201)]
    job = start_import_preview(
        to_csv(DELEGATE_HEADER, rows),
        user=user,
        meeting=meeting,
        kind="delegates",
        file_format="csv",
        language="en",
    )
    assert wait_for_status(job, {"previewed", "refused", "failed"}), (
        real_worker.output()
    )
    assert (job.status, job.rows_done, job.rows_total) == ("previewed", 1200, 1200)
    assert Delegate.objects.count() == 0
    log = ProgressLog(job.file_name, "preview").entries()
    assert log[0] == (0, 1200)
    assert log[-1] == (1200, 1200)
    assert [done for done, _total in log] == list(range(0, 1201, 12))

    confirm_import(job, user=user)
    seen = []

    def done():
        job.refresh_from_db()
        seen.append(job_progress(job))
        return job.status in {"done", "refused", "failed"}

    assert wait_for(done, timeout=120, interval=0.05), real_worker.output()
    assert (job.status, job.rows_new) == ("done", 1200), job.error
    assert Delegate.objects.filter(meeting=meeting).count() == 1200
    assert seen[-1] == (1200, 1200)
    assert seen == sorted(seen)  # never backwards
    assert "delegations.tasks.run_import[" in real_worker.output()
