"""Refused uploads leave nothing in import-tmp; old files are swept on the next
upload (a previewed job never confirmed, a failed one never retried), and by
the workers' sweep without waiting for one."""

import os
import time

import pytest

from delegations.imports import (
    ORPHAN_GRACE_SECONDS,
    start_import_preview,
    sweep_import_files,
)
from delegations.models import ImportJob
from delegations.spreadsheets import ProgressLog, import_tmp_dir
from dialogue.sweeps import _sweeps
from tests.delegations.test_resources import DELEGATE_HEADER, delegate_row, to_csv
from tests.factories import DelegationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tasks(django_capture_on_commit_callbacks, eager_celery):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def secretary(django_user_model):
    return django_user_model.objects.create_user("sec", password=None, is_staff=True)


@pytest.fixture
def kazakhstan(meeting):
    return DelegationFactory(meeting=meeting, country_code="KZ", funded_quota=3)


def upload(tasks, meeting, user, data, file_format="csv"):
    with tasks():
        job = start_import_preview(
            data, user=user, meeting=meeting, kind="delegates", file_format=file_format
        )
    job.refresh_from_db()
    return job


def kept_files():
    return sorted(p.name for p in import_tmp_dir().iterdir() if "." not in p.name)


def test_refused_upload_file_is_deleted(tasks, meeting, secretary, kazakhstan):
    data = to_csv(DELEGATE_HEADER, [delegate_row(1, phone="12345")])
    job = upload(tasks, meeting, secretary, data)
    assert job.status == "refused"
    assert kept_files() == []


def test_unreadable_upload_file_is_deleted(tasks, meeting, secretary):
    job = upload(tasks, meeting, secretary, b"\x98\x98 not text", "csv")
    assert job.status == "refused"
    assert kept_files() == []


def test_previewed_file_kept_until_swept_by_a_later_upload(
    tasks, meeting, secretary, kazakhstan
):
    data = to_csv(DELEGATE_HEADER, [delegate_row(1)])
    old = upload(tasks, meeting, secretary, data)
    assert old.status == "previewed"
    assert kept_files() == [old.file_name]
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(import_tmp_dir() / old.file_name, (two_days_ago, two_days_ago))
    new = upload(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, [delegate_row(2)]))
    assert kept_files() == [new.file_name]


def every_file():
    return sorted(p.name for p in import_tmp_dir().iterdir())


def age(name: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(import_tmp_dir() / name, (then, then))


def test_the_workers_sweep_cleans_import_tmp():
    assert sweep_import_files in _sweeps


def test_sweep_leaves_no_trace_of_a_refused_upload(
    tasks, meeting, secretary, kazakhstan
):
    data = to_csv(DELEGATE_HEADER, [delegate_row(1, phone="12345")])
    job = upload(tasks, meeting, secretary, data)
    assert job.status == "refused"
    # The file went with the refusal; its progress log goes with the sweep.
    assert every_file() == [f"{job.file_name}.preview.progress"]
    assert sweep_import_files() == 1
    assert every_file() == []


def test_sweep_keeps_what_a_job_still_needs(tasks, meeting, secretary, kazakhstan):
    previewed = upload(
        tasks, meeting, secretary, to_csv(DELEGATE_HEADER, [delegate_row(1)])
    )
    failed = upload(
        tasks, meeting, secretary, to_csv(DELEGATE_HEADER, [delegate_row(2)])
    )
    ImportJob.objects.filter(pk=failed.pk).update(
        status="failed", error="the worker was lost"
    )
    assert previewed.status == "previewed"
    before = every_file()
    assert sweep_import_files() == 0
    assert every_file() == before


def test_sweep_removes_a_preview_nobody_confirmed_after_a_day(
    tasks, meeting, secretary, kazakhstan
):
    job = upload(tasks, meeting, secretary, to_csv(DELEGATE_HEADER, [delegate_row(1)]))
    assert kept_files() == [job.file_name]
    age(job.file_name, 2 * 24 * 3600)
    age(f"{job.file_name}.preview.progress", 2 * 24 * 3600)
    assert sweep_import_files() == 2
    assert every_file() == []


def test_sweep_removes_files_without_a_job_after_the_grace(meeting):
    folder = import_tmp_dir()
    folder.mkdir(parents=True, exist_ok=True)
    young, old = "a" * 32, "b" * 32
    for name in (young, old):
        (folder / name).write_bytes(b"name,email")
        ProgressLog(name, "preview").start(1)
    age(old, ORPHAN_GRACE_SECONDS + 60)
    age(f"{old}.preview.progress", ORPHAN_GRACE_SECONDS + 60)
    (folder / "README").write_text("not ours")
    assert sweep_import_files() == 2
    # A young upload may be one whose job is about to commit; other files stay.
    assert every_file() == ["README", young, f"{young}.preview.progress"]
