"""A real worker's periodic sweep adopts a version whose silence ended with no
objection: on the broker the tests run with (the embedded default's file
broker and SQLite, or Redis and PostgreSQL with REQUIRE_SERVICES=1)."""

import datetime

import pytest
from django.utils import timezone

from declaration.models import Silence, Version
from declaration.services import start_silence
from dialogue.outbox.models import Email
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.factories import DelegationFactory
from tests.services import WorkerProcess, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_sweep_adopts_a_silenced_version():
    declaration = DeclarationFactory(title_en="Silence Declaration")
    delegation = DelegationFactory(meeting=declaration.meeting, country_code="KZ")
    version = version_with_text(declaration, 1, status="circulated")
    version.circulations.create(
        delegation=delegation, email=delegation.focal_point_email
    )
    silence = start_silence(version, until=timezone.now() + datetime.timedelta(hours=1))
    # The deadline passes before the worker starts (no clock is waited for).
    now = timezone.now()
    Silence.objects.filter(pk=silence.pk).update(
        started_at=now - datetime.timedelta(hours=2),
        until=now - datetime.timedelta(seconds=1),
    )
    worker = WorkerProcess(
        extra_env={
            "PACK_SWEEP_INTERVAL": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        }
    ).start()
    try:
        adopted = wait_for(
            lambda: Version.objects.get(pk=version.pk).status == "adopted",
            timeout=90,
        )
        told = wait_for(
            lambda: (
                Email.objects.filter(kind="silence_adopted", status="sent").count() == 1
            ),
            timeout=60,
        )
    finally:
        worker.stop()
    log = worker.output()
    assert adopted, log
    assert told, log
    silence.refresh_from_db()
    assert silence.status == "adopted"
    assert version.adoption.by_silence is True
    assert "declaration.tasks.conclude_silence" in log
