"""Every email the portal sends, with what became of it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogue.models import Meeting


class Email(models.Model):
    """One email to one person: queued, sent, failed (with why) or not sent.

    The body is not stored: it is composed by the kind's owner when the worker
    sends it (see dialogue.outbox.kinds), so the table holds no link tokens and
    a resend carries the current text and link.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("not sent")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("meeting"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("about record"))
    recipient = models.EmailField(_("to"), blank=True)
    language = models.CharField(_("language"), max_length=2, default="en")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    # Set when a worker takes the email (dialogue.leases): a dead worker's
    # claim lapses and the sweep queues the email again.
    lease_expires_at = models.DateTimeField(
        _("claimed until"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-queued_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "object_id"], name="email_about"),
            models.Index(fields=["meeting", "status"], name="email_meeting_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["queued", "sent", "failed", "cancelled"]
                ),
                name="email_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="email_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(error=""),
                name="email_failed_has_reason",
            ),
        ]
        permissions = [("resend_email", _("Can resend failed emails"))]

    def __str__(self) -> str:
        about = self.subject or self.kind
        return f"{self.get_status_display()}: {about} → {self.recipient}"
