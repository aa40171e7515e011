"""Badges: what a delegate wears at the door.

A badge carries a QR code holding a signed token (accreditation.tokens) that
names only the badge's random serial, never a person. Revoking the badge (or
withdrawing its delegate) makes the same token answer red at check-in.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delegations.models import Delegate
from travel.receipts import receipt_storage as private_storage


class Badge(models.Model):
    class Category(models.TextChoices):
        # Each category prints in its own colour (accreditation.badges).
        MEMBER_STATE = "member_state", _("Member State")
        OBSERVER = "observer", _("Observer")
        UNITED_NATIONS = "united_nations", _("United Nations")
        SECRETARIAT = "secretariat", _("Secretariat staff")
        MEDIA = "media", _("Media")
        SECURITY = "security", _("Security")

    class RevokedReason(models.TextChoices):
        REVOKED = "revoked", _("revoked")
        REPLACED = "replaced", _("replaced")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # A withdrawn delegate's row goes (its history stays); the badge stays,
    # revoked, with the holder's names, so its code still answers "withdrawn".
    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.SET_NULL,
        null=True,
        related_name="badges",
        verbose_name=_("delegate"),
    )
    holder_name_latin = models.CharField(_("name (Latin script)"), max_length=200)
    holder_name_cyrillic = models.CharField(_("name (Cyrillic script)"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    # Random, unrelated to any id: the token signs this and nothing else.
    serial = models.UUIDField(
        _("serial"), default=uuid.uuid4, unique=True, editable=False
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("reason revoked"), max_length=20, choices=RevokedReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegate"],
                condition=Q(revoked_at__isnull=True, delegate__isnull=False),
                name="one_active_badge_per_delegate",
                violation_error_message=_("This delegate already has a badge."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name_latin} ({self.get_category_display()})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class BadgePhoto(models.Model):
    """The photo a focal point uploads for a delegate's badge (optional).

    Stored privately (no URL); the badge renderer and the check-in page read it
    through accreditation's own views and selectors.
    """

    delegate = models.OneToOneField(
        Delegate,
        on_delete=models.CASCADE,
        related_name="badge_photo",
        verbose_name=_("delegate"),
    )
    image = models.FileField(_("photo"), storage=private_storage, max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now=True)

    class Meta:
        verbose_name = _("badge photo")
        verbose_name_plural = _("badge photos")

    def __str__(self) -> str:
        return str(self.delegate)
