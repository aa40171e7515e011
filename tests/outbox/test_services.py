"""The outbox: queue after commit, send, retry, fail visibly, resend."""

import socket

import pytest
from django.db import transaction

from delegations.services import issue_itinerary_link, revoke_link, send_itinerary_link
from dialogue.outbox.models import Email
from dialogue.outbox.services import resend_emails
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """Return a local port nobody listens on (connecting is refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 2
    return settings


def test_send_itinerary_link_is_sent_after_commit_and_recorded(
    mailoutbox, django_capture_on_commit_callbacks
):
    link = issue_itinerary_link(DelegateFactory(preferred_language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_itinerary_link(link) is True
        assert mailoutbox == []  # nothing leaves before the commit
    email = Email.objects.get()
    link.refresh_from_db()
    assert (email.kind, email.status, email.attempts, email.error) == (
        "access_link",
        "sent",
        1,
        "",
    )
    assert email.subject == mailoutbox[0].subject
    assert link.sent_at == email.sent_at


def test_email_queued_in_a_rolled_back_transaction_is_never_sent(
    mailoutbox, django_capture_on_commit_callbacks
):
    link = issue_itinerary_link(DelegateFactory())
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_itinerary_link(link)
        raise RuntimeError("the request failed")
    assert (callbacks, mailoutbox, Email.objects.count()) == ([], [], 0)


def test_mail_server_down_retries_then_fails_with_reason(
    unreachable_smtp, mailoutbox, django_capture_on_commit_callbacks
):
    link = issue_itinerary_link(DelegateFactory())
    with django_capture_on_commit_callbacks(execute=True):
        send_itinerary_link(link)
    email = Email.objects.get()
    link.refresh_from_db()
    # The first try and the task's 8 retries each reached the (closed) server.
    assert (email.status, email.attempts, link.sent_at) == ("failed", 9, None)
    assert email.error.startswith("ConnectionRefusedError: ")
    assert email.failed_at is not None


def test_failed_email_resent_once_the_server_is_back(
    unreachable_smtp, mailoutbox, django_capture_on_commit_callbacks
):
    link = issue_itinerary_link(DelegateFactory())
    with django_capture_on_commit_callbacks(execute=True):
        send_itinerary_link(link)
    unreachable_smtp.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_emails(list(Email.objects.all())) == 1
    email = Email.objects.get()
    assert (email.status, email.attempts, email.error) == ("sent", 10, "")
    assert [m.to for m in mailoutbox] == [[link.delegate.email]]


def test_revoked_link_is_not_sent_and_says_why(
    mailoutbox, django_capture_on_commit_callbacks
):
    link = issue_itinerary_link(DelegateFactory())
    with django_capture_on_commit_callbacks(execute=False):
        send_itinerary_link(link)
    revoke_link(link)
    from dialogue.outbox.services import deliver_email

    assert deliver_email(Email.objects.get().pk) == "cancelled"
    email = Email.objects.get()
    assert (email.status, email.error, mailoutbox) == (
        "cancelled",
        "The link was revoked or has expired.",
        [],
    )


def test_sent_email_is_not_sent_twice(mailoutbox, django_capture_on_commit_callbacks):
    from dialogue.outbox.services import deliver_email

    link = issue_itinerary_link(DelegateFactory())
    with django_capture_on_commit_callbacks(execute=True):
        send_itinerary_link(link)
    assert deliver_email(Email.objects.get().pk) == "sent"
    assert len(mailoutbox) == 1


def test_email_whose_message_was_lost_is_sent_by_the_sweep(
    mailoutbox, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from dialogue.outbox.services import sweep_stale_emails

    link = issue_itinerary_link(DelegateFactory())
    with django_capture_on_commit_callbacks(execute=False):
        send_itinerary_link(link)  # the broker "lost" this message
    email = Email.objects.get()
    Email.objects.filter(pk=email.pk).update(
        queued_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stale_emails() == [email.pk]
        assert sweep_stale_emails() == []  # fresh again: queued once
    email.refresh_from_db()
    assert (email.status, len(mailoutbox)) == ("sent", 1)


def test_email_whose_worker_died_mid_send_is_sent_again_at_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from dialogue.outbox.services import sweep_stale_emails

    link = issue_itinerary_link(DelegateFactory())
    with django_capture_on_commit_callbacks(execute=False):
        send_itinerary_link(link)
    email = Email.objects.get()
    # What a worker killed between its claim and the SMTP reply leaves behind.
    Email.objects.filter(pk=email.pk).update(
        attempts=1, lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stale_emails() == [email.pk]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.lease_expires_at) == ("sent", 2, None)
    assert len(mailoutbox) == 1


def test_email_claimed_by_a_live_worker_is_left_alone(
    django_capture_on_commit_callbacks,
):
    import datetime

    from django.utils import timezone

    from dialogue.outbox.services import sweep_stale_emails

    link = issue_itinerary_link(DelegateFactory())
    with django_capture_on_commit_callbacks(execute=False):
        send_itinerary_link(link)
    Email.objects.update(
        attempts=1, lease_expires_at=timezone.now() + datetime.timedelta(seconds=9)
    )
    assert sweep_stale_emails() == []
