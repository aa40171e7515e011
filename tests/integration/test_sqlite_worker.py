"""The embedded default under load: web and a real worker write to one SQLite file.

Circulating a version to 200 delegations queues 200 emails; a real worker on
the file broker sends them and records each one while the web side keeps
writing. Before WAL, the busy timeout and IMMEDIATE transactions, two of seven
records were lost to "database is locked".
"""

import datetime
import threading

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from declaration.models import Circulation
from declaration.services import circulate_version
from delegations.models import Delegate
from delegations.services import issue_itinerary_link, record_link_opened, save_delegate
from dialogue.outbox.models import Email
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.factories import DelegationFactory
from tests.services import WorkerProcess, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

DELEGATIONS = 200


class WebWrites(threading.Thread):
    """What the web process does meanwhile: delegates added through the service
    and links opened, each in its own transaction, as requests do."""

    def __init__(self, delegation, link):
        super().__init__(daemon=True)
        self.delegation, self.link = delegation, link
        self.stop = threading.Event()
        self.done = 0
        self.errors: list[BaseException] = []

    def run(self):
        try:
            while not self.stop.is_set():
                with transaction.atomic():
                    save_delegate(
                        Delegate(
                            delegation=self.delegation,
                            name_latin=f"Adviser Number{self.done}",
                            name_cyrillic=f"Советник Номер{self.done}",
                            position_en="Adviser",
                            position_ru="Советник",
                            role="adviser",
                            email=f"adviser{self.done}@mfa.example",
                        )
                    )
                record_link_opened(self.link)
                self.done += 1
                # A busy web server, not a tight loop that never lets go.
                self.stop.wait(0.02)
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
        finally:
            close_old_connections()
            connection.close()


def test_worker_records_every_circulation_while_web_writes(tmp_path):
    if connection.vendor != "sqlite" or settings.CELERY_BROKER_URL != "filesystem://":
        pytest.skip("the embedded default's test: SQLite with the file broker")
    declaration = DeclarationFactory(title_en="Load Declaration")
    meeting = declaration.meeting
    delegations = [
        DelegationFactory(meeting=meeting, kind="observer", country_code="")
        for _ in range(DELEGATIONS)
    ]
    draft = version_with_text(declaration, 1)
    web = WebWrites(delegations[0], issue_itinerary_link(delegations[0]))
    mail_dir = tmp_path / "mail"
    worker = WorkerProcess(
        concurrency=2,
        extra_env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        },
    ).start()
    web.start()
    try:
        circulate_version(draft, deadline=timezone.now() + datetime.timedelta(days=5))
        recorded = wait_for(
            lambda: (
                Circulation.objects.filter(version=draft, sent_at__isnull=False).count()
                == DELEGATIONS
            ),
            timeout=240,
            interval=1,
        )
    finally:
        web.stop.set()
        web.join(timeout=30)
        worker.stop()
    log = worker.output()
    assert web.errors == []
    assert web.done > 0
    assert recorded, log
    statuses = Email.objects.filter(kind="circulation").values_list("status", flat=True)
    assert list(statuses) == ["sent"] * DELEGATIONS
    assert Delegate.objects.filter(role="adviser").count() == web.done
    # One message per focal point; the file backend writes one file per connection.
    sent_to = {
        line.split(":", 1)[1].strip()
        for path in mail_dir.iterdir()
        for line in path.read_text().splitlines()
        if line.startswith("To:")
    }
    assert sent_to == {d.focal_point_email for d in delegations}
    assert "database is locked" not in log
