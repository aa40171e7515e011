"""A real Celery worker on Redis emails the focal points a circulated version."""

import datetime

import pytest
from django.utils import timezone

from declaration.models import Circulation
from declaration.services import circulate_version
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.factories import DelegationFactory
from tests.services import WorkerProcess, need_postgres, need_redis, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_sends_circulation_emails_and_records_sent_at():
    need_postgres()
    need_redis()
    declaration = DeclarationFactory(title_en="Worker Declaration")
    kz = DelegationFactory(meeting=declaration.meeting, country_code="KZ")
    uz = DelegationFactory(meeting=declaration.meeting, country_code="UZ")
    draft = version_with_text(declaration, 1)
    worker = WorkerProcess(
        extra_env={"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    ).start()
    try:
        circulate_version(draft, deadline=timezone.now() + datetime.timedelta(days=5))
        sent = wait_for(
            lambda: (
                Circulation.objects.filter(version=draft, sent_at__isnull=False).count()
                == 2
            ),
            timeout=60,
        )
    finally:
        worker.stop()
    log = worker.output()
    assert sent, log
    assert kz.focal_point_email in log and uz.focal_point_email in log
