"""Two phones scanning the same badge at the same moment record one check-in
(PostgreSQL; accreditation.services.checkin locks the badge's row, and the
unique constraints refuse a second row even without the lock)."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accreditation.models import Badge, CheckIn
from accreditation.services.checkin import check_in
from accreditation.tokens import badge_token
from tests.agenda.factories import SessionFactory
from tests.factories import DelegateFactory
from tests.services import need_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WORKERS = 8


def race(workers: int, attempt) -> list[str]:
    """Run attempt(i) in `workers` threads released at once; return outcomes."""
    barrier = threading.Barrier(workers)
    outcomes = [""] * workers

    def run(i):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = attempt(i)
        except Exception as exc:  # noqa: BLE001 - reported in the outcome
            outcomes[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def badge(db):
    delegate = DelegateFactory()
    return Badge.objects.create(
        delegate=delegate,
        holder_name_latin=delegate.name_latin,
        holder_name_cyrillic=delegate.name_cyrillic,
        category=Badge.Category.MEMBER_STATE,
    )


@pytest.mark.parametrize("at_session", [False, True], ids=["venue", "session"])
def test_simultaneous_scans_record_one_check_in(badge, at_session):
    need_postgres()
    meeting = badge.delegate.delegation.meeting
    session = SessionFactory(meeting=meeting) if at_session else None
    phones = [
        get_user_model().objects.create_user(f"door{i}", is_staff=True)
        for i in range(WORKERS)
    ]
    token = badge_token(badge)

    def attempt(i):
        return check_in(token, by=phones[i], meeting=meeting, session=session).reason

    outcomes = race(WORKERS, attempt)
    assert sorted(outcomes) == ["already"] * (WORKERS - 1) + ["checked_in"]
    row = CheckIn.objects.get(badge=badge)
    assert row.session == session
    badge.delegate.refresh_from_db()
    assert badge.delegate.accreditation == "checked_in"


def test_the_database_alone_refuses_a_second_check_in(badge):
    """Bypassing the service (a shell, raw ORM) cannot record two."""
    need_postgres()
    meeting = badge.delegate.delegation.meeting
    session = SessionFactory(meeting=meeting)

    def attempt(i):
        try:
            with transaction.atomic():
                CheckIn.objects.create(
                    badge=badge,
                    meeting=meeting,
                    session=session if i % 2 else None,
                    checked_in_at=timezone.now(),
                )
        except IntegrityError:
            return "refused"
        return "written"

    outcomes = race(WORKERS, attempt)
    assert outcomes.count("written") == 2  # one at the venue, one at the session
    assert outcomes.count("refused") == WORKERS - 2
    assert CheckIn.objects.filter(badge=badge).count() == 2
