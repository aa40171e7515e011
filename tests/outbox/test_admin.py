"""The outbox admin: staff see what failed and why, and resend it."""

import pytest

from delegations.services import send_itinerary_link
from dialogue.outbox.models import Email
from tests.outbox.test_services import closed_port

pytestmark = pytest.mark.django_db


def test_failed_email_listed_with_reason_and_resent_from_admin(
    world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    with django_capture_on_commit_callbacks(execute=True):
        send_itinerary_link(world.links["delegate_a"])
    client = world.clients["secretariat"]
    listing = client.get("/admin/outbox/email/?status__exact=failed")
    assert listing.status_code == 200
    assert "ConnectionRefusedError" in listing.content.decode()
    assert world.delegate_a.email in listing.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email = Email.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/outbox/email/",
            {"action": "resend", "_selected_action": [str(email.pk)]},
            follow=True,
        )
    assert "1 email queued again." in response.content.decode()
    email.refresh_from_db()
    world.links["delegate_a"].refresh_from_db()
    assert email.status == "sent"
    assert world.links["delegate_a"].sent_at == email.sent_at
    assert [m.to for m in mailoutbox] == [[world.delegate_a.email]]
