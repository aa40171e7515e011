"""Refused uploads leave nothing in import-tmp; old files are swept on the next
upload (a previewed job never confirmed, a failed one never retried)."""

import os
import time

import pytest

from delegations.imports import start_import_preview
from delegations.spreadsheets import import_tmp_dir
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
