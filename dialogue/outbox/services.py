"""Queue, send and resend emails; record what became of each one."""

import datetime
import logging
import time
from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from dialogue.leases import lease_until
from dialogue.outbox.kinds import NotToBeSent, get_kind
from dialogue.outbox.models import Email

logger = logging.getLogger("dialogue.outbox")


@dataclass(frozen=True)
class Recipient:
    object_id: int
    email: str
    language: str


@transaction.atomic
def queue_emails(meeting_id: int, *, kind: str, recipients: list[Recipient]) -> list:
    """Return the outbox rows created, one per recipient, each queued for sending.

    Side effects: creates the Email rows and queues one send task per row after
    commit (a rolled-back change sends nothing).
    """
    from dialogue.outbox.tasks import send_email

    get_kind(kind)  # an unknown kind is a programming error: fail here, not later
    emails = Email.objects.bulk_create(
        Email(
            meeting_id=meeting_id,
            kind=kind,
            object_id=recipient.object_id,
            recipient=recipient.email,
            language=recipient.language,
        )
        for recipient in recipients
    )
    for email in emails:
        send_email.enqueue(email_id=email.pk)
    return emails


def queue_email(meeting_id: int, *, kind: str, recipient: Recipient) -> Email:
    """Return the outbox row of one email, queued (see queue_emails)."""
    return queue_emails(meeting_id, kind=kind, recipients=[recipient])[0]


def deliver_email(email_id: int) -> str:
    """Return what happened to one outbox email: sent, cancelled, or its status.

    Composes the email through its kind, sends it, and records the delivery on
    the outbox row and on the owner's row (in one transaction). An email
    already sent or cancelled is left alone, so a redelivered task sends
    nothing twice. Mail errors propagate to the task, which retries the
    transient ones and records the final failure (record_send_failure).
    Not atomic: the SMTP conversation must not hold a database transaction.
    """
    email = Email.objects.filter(pk=email_id).first()
    if email is None:
        return "gone"
    if email.status in (Email.Status.SENT, Email.Status.CANCELLED):
        return email.status
    try:
        kind = get_kind(email.kind)
        composed = kind.compose(email.object_id)
    except NotToBeSent as exc:
        Email.objects.filter(pk=email.pk).update(
            status=Email.Status.CANCELLED, error=str(exc)[:2000]
        )
        return Email.Status.CANCELLED
    # Claim this attempt: a duplicate message (a sweep, a redelivery) running
    # at the same moment finds the count changed and leaves the email alone.
    claimed = Email.objects.filter(
        pk=email.pk, attempts=email.attempts, status=email.status
    ).update(
        attempts=F("attempts") + 1,
        subject=composed.subject[:300],
        recipient=composed.to,
        lease_expires_at=lease_until(),
    )
    if not claimed:
        return "busy"
    EmailMessage(composed.subject, composed.body, None, [composed.to]).send()
    _record_sent(email, kind)
    return Email.Status.SENT


def _record_sent(email: Email, kind, *, tries: int = 6) -> None:
    """Record a delivery that has happened: the email is out, so the record must
    not be lost to a briefly locked database (and the task must not be retried,
    which would send it again)."""
    sent_at = timezone.now()
    for attempt in range(tries):
        try:
            with transaction.atomic():
                Email.objects.filter(pk=email.pk).update(
                    status=Email.Status.SENT,
                    sent_at=sent_at,
                    error="",
                    lease_expires_at=None,
                )
                if kind.delivered is not None:
                    kind.delivered(email.object_id, sent_at)
            return
        except OperationalError:
            if attempt == tries - 1:
                raise
            logger.warning(
                "Recording email %s as sent: database busy, retrying", email.pk
            )
            time.sleep(0.5 * 2**attempt)


@transaction.atomic
def record_send_failure(*, reason: str, final: bool, email_id: int) -> None:
    """Record why sending failed; when final, the email is failed until resent.

    Side effects: updates the outbox row (error, and status/failed_at if final).
    """
    # The claim ends here: the retry (Celery's countdown) or staff take it on.
    # queued_at restarts the "message lost" clock for the retry's message.
    changes = {
        "error": reason or "unknown error",
        "lease_expires_at": None,
        "queued_at": timezone.now(),
    }
    if final:
        changes |= {"status": Email.Status.FAILED, "failed_at": timezone.now()}
    Email.objects.filter(pk=email_id).exclude(status=Email.Status.SENT).update(
        **changes
    )


# An email still queued this long after it was queued lost its message (the
# broker was down at commit, or was purged): the worker's sweep queues it again.
QUEUED_STALE = datetime.timedelta(minutes=15)


@transaction.atomic
def sweep_stale_emails() -> list[int]:
    """Return the ids of emails queued again because their message was lost.

    Two cases: a worker took the email and died (its claim lapsed, seconds
    ago), or the message never reached a worker (queued long ago, unclaimed).
    Side effects: bumps queued_at of those emails and queues their tasks; the
    conditional update makes concurrent sweeps (one per worker) queue each once.
    """
    from dialogue.outbox.tasks import send_email

    now = timezone.now()
    requeued = []
    lapsed = Q(lease_expires_at__lt=now)  # taken by a worker that died
    lost = Q(lease_expires_at__isnull=True, queued_at__lt=now - QUEUED_STALE)
    for pk, queued_at, attempts in Email.objects.filter(
        lapsed | lost, status=Email.Status.QUEUED
    ).values_list("pk", "queued_at", "attempts"):
        if Email.objects.filter(pk=pk, queued_at=queued_at, attempts=attempts).update(
            queued_at=now, lease_expires_at=None
        ):
            requeued.append(pk)
            send_email.enqueue(email_id=pk)
    if requeued:
        logger.warning("Requeued %s email(s) whose message was lost", len(requeued))
    return requeued


@transaction.atomic
def resend_emails(emails) -> int:
    """Return how many failed or unsent emails were queued again.

    Emails already sent are left alone. Side effects: marks each one queued
    (keeping its last error until it is sent) and queues its task after commit.
    """
    from dialogue.outbox.tasks import send_email

    ids = list(
        Email.objects.select_for_update()
        .filter(pk__in=[email.pk for email in emails])
        .filter(status__in=[Email.Status.FAILED, Email.Status.CANCELLED])
        .values_list("pk", flat=True)
    )
    Email.objects.filter(pk__in=ids).update(
        status=Email.Status.QUEUED, queued_at=timezone.now(), failed_at=None
    )
    for email_id in ids:
        send_email.enqueue(email_id=email_id)
    return len(ids)
