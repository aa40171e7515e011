"""Badges: what a delegate wears at the door.

A badge carries a QR code holding a signed token (accreditation.tokens) that
names only the badge's random serial, never a person. Revoking the badge (or
withdrawing its delegate) makes the same token answer red at check-in.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from delegations.models import Delegate, FlightLeg, Language
from delegations.validators import validate_iata
from travel.receipts import receipt_storage as private_storage


class Badge(models.Model):
    class Category(models.TextChoices):
        # Each category prints in its own colour (accreditation.badges.COLOURS).
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
    # What staff wrote when revoking by hand ("lost", "name misspelt").
    revoked_note = models.CharField(_("why revoked"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["-issued_at"]
        permissions = [
            ("issue_badge", _("Can issue, print and revoke badges")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["delegate"],
                condition=Q(revoked_at__isnull=True, delegate__isnull=False),
                name="one_active_badge_per_delegate",
                violation_error_message=_("This delegate already has a badge."),
            ),
            # A revoked badge says why; an active one has no reason.
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_reason="")
                | (Q(revoked_at__isnull=False) & ~Q(revoked_reason="")),
                name="badge_revoked_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(
                    category__in=[
                        "member_state",
                        "observer",
                        "united_nations",
                        "secretariat",
                        "media",
                        "security",
                    ]
                ),
                name="badge_category_known",
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


# Nominations ---------------------------------------------------------------------


class NominationRequest(models.Model):
    """A focal point's request to add, replace or withdraw a delegate.

    Nothing on the delegation changes until the secretariat approves it
    (accreditation.services.nominations); a returned request keeps its reason.
    The proposed person's details are kept here, as sent.
    """

    class Kind(models.TextChoices):
        ADD = "add", _("add a delegate")
        REPLACE = "replace", _("replace a delegate")
        WITHDRAW = "withdraw", _("withdraw a delegate")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending review")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")

    delegation = models.ForeignKey(
        "delegations.Delegation",
        on_delete=models.CASCADE,
        related_name="nomination_requests",
        verbose_name=_("delegation"),
    )
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The person replaced or withdrawn; their name is kept for when the row
    # is gone (an approved withdrawal or replacement removes it).
    target = models.ForeignKey(
        Delegate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nomination_requests",
        verbose_name=_("delegate concerned"),
    )
    target_name = models.CharField(
        _("delegate concerned"), max_length=200, blank=True, editable=False
    )
    honorific = models.CharField(
        _("honorific"), max_length=2, choices=Delegate.Honorific.choices, blank=True
    )
    name_latin = models.CharField(_("name (Latin script)"), max_length=200, blank=True)
    name_cyrillic = models.CharField(
        _("name (Cyrillic script)"), max_length=200, blank=True
    )
    position_en = models.CharField(_("position (English)"), max_length=300, blank=True)
    position_ru = models.CharField(_("position (Russian)"), max_length=300, blank=True)
    role = models.CharField(
        _("role"), max_length=30, choices=Delegate.Role.choices, blank=True
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.RU,
    )
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility_needs = models.CharField(
        _("accessibility needs"), max_length=300, blank=True
    )
    funded_requested = models.BooleanField(_("funded seat requested"), default=False)
    reason = models.TextField(
        _("reason returned"),
        blank=True,
        help_text=_("Sent to the focal point with the returned request."),
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    result = models.ForeignKey(
        Delegate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delegate added"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nomination request")
        verbose_name_plural = _("nomination requests")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("review_nomination", _("Can review nominations"))]
        constraints = [
            # While pending, an addition names nobody and the others one person.
            models.CheckConstraint(
                condition=~Q(status="pending")
                | Q(kind="add", target__isnull=True)
                | (Q(kind__in=["replace", "withdraw"]) & Q(target__isnull=False)),
                name="nomination_target_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["add", "replace"])
                | (~Q(name_latin="") & ~Q(name_cyrillic="")),
                name="nomination_names_both_scripts",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(reason=""),
                name="nomination_returned_with_reason",
            ),
            # One open request per person: a second waits for the first.
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(status="pending", target__isnull=False),
                name="one_pending_request_per_delegate",
                violation_error_message=_(
                    "A request about this delegate is already waiting for review."
                ),
            ),
        ]

    def __str__(self) -> str:
        who = self.name_latin or self.target_name
        return f"{self.get_kind_display()}: {who}"

    @property
    def person(self) -> str:
        """Whom the request is about, as the focal point named them."""
        if self.kind == self.Kind.WITHDRAW:
            return self.target_name
        return self.name_latin


# Credentials -------------------------------------------------------------------


class Credentials(models.Model):
    """A delegation's note verbale or letter of credentials, as uploaded.

    The focal point uploads the PDF through its link (accreditation.credentials
    checks its bytes); the secretariat approves it for the delegates it names,
    who become accredited, or returns it with a reason. The file is private:
    only the secretariat and the delegation's focal point can open it, through
    accreditation's own views.
    """

    class Kind(models.TextChoices):
        NOTE_VERBALE = "note_verbale", _("note verbale")
        CREDENTIALS = "credentials", _("letter of credentials")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received, awaiting review")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")

    delegation = models.ForeignKey(
        "delegations.Delegation",
        on_delete=models.CASCADE,
        related_name="credentials",
        verbose_name=_("delegation"),
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), storage=private_storage, max_length=100)
    # As the focal point named it, for people to recognise; never a path.
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveSmallIntegerField(_("pages"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    reason = models.TextField(
        _("reason returned"),
        blank=True,
        help_text=_("Sent to the focal point with the returned document."),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    # Whom the approval accredited (the delegates the document names).
    accredited = models.ManyToManyField(
        Delegate,
        blank=True,
        related_name="credentials",
        verbose_name=_("delegates accredited"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credentials")
        verbose_name_plural = _("credentials")
        ordering = ["-uploaded_at", "-pk"]
        permissions = [("review_credentials", _("Can review credentials"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(reason=""),
                name="credentials_returned_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="received") | Q(reviewed_at__isnull=False),
                name="credentials_reviewed_when_decided",
            ),
            models.CheckConstraint(
                condition=Q(size__gt=0) & Q(pages__gt=0),
                name="credentials_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


# Travel requests -----------------------------------------------------------------


class TravelRequest(models.Model):
    """A focal point's request that the travel desk book a funded delegate's trip.

    Pending until the travel desk books it (its flights are entered then, in
    status "requested", through the delegations services) or declines it with
    a reason (accreditation.services.travel_requests). Only a funded delegate
    has one; that is the service's rule, checked under the delegation's lock.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the travel desk")
        BOOKED = "booked", _("booked")
        DECLINED = "declined", _("declined")

    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.CASCADE,
        related_name="travel_requests",
        verbose_name=_("delegate"),
    )
    departure_city = models.CharField(
        _("city of departure"),
        max_length=100,
        help_text=_("As the focal point wrote it."),
    )
    departure_airport = models.CharField(
        _("departure airport (IATA)"), max_length=3, validators=[validate_iata]
    )
    outbound_date = models.DateField(_("preferred outbound date"))
    return_date = models.DateField(_("preferred return date"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(
        _("reason declined"),
        blank=True,
        help_text=_("Sent to the focal point with the declined request."),
    )
    flights = models.ManyToManyField(
        FlightLeg,
        blank=True,
        related_name="travel_requests",
        verbose_name=_("flights booked"),
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("travel request")
        verbose_name_plural = _("travel requests")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("book_travel", _("Can book or decline travel requests"))]
        constraints = [
            models.UniqueConstraint(
                fields=["delegate"],
                condition=Q(status="pending"),
                name="one_open_travel_request_per_delegate",
                violation_error_message=_(
                    "A travel request for this delegate is already waiting "
                    "for the travel desk."
                ),
            ),
            models.CheckConstraint(
                condition=Q(return_date__gte=models.F("outbound_date")),
                name="travel_returns_after_outbound",
                violation_error_message=_(
                    "The return date must not be before the outbound date."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""),
                name="travel_declined_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.delegate.name_latin}: {self.departure_airport} {self.outbound_date}"
        )


class FlightChangeRequest(models.Model):
    """A delegate's or focal point's request to change a booked flight.

    The travel desk accepts it (the flight goes back to "requested" for it to
    edit) or declines it with a reason.
    """

    class RequestedBy(models.TextChoices):
        FOCAL_POINT = "focal_point", _("focal point")
        DELEGATE = "delegate", _("delegate")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the travel desk")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    flight = models.ForeignKey(
        FlightLeg,
        on_delete=models.CASCADE,
        related_name="change_requests",
        verbose_name=_("flight"),
    )
    requested_by = models.CharField(
        _("requested by"), max_length=12, choices=RequestedBy.choices
    )
    change = models.TextField(_("change requested"))
    new_date = models.DateField(_("new preferred date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(
        _("reason declined"),
        blank=True,
        help_text=_("Sent to the focal point with the declined request."),
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flight change request")
        verbose_name_plural = _("flight change requests")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("review_flight_change", _("Can accept or decline changes"))]
        constraints = [
            models.UniqueConstraint(
                fields=["flight"],
                condition=Q(status="pending"),
                name="one_open_change_request_per_flight",
                violation_error_message=_(
                    "A change to this flight is already waiting for the travel desk."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(change=""),
                name="flight_change_says_what",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""),
                name="flight_change_declined_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flight}: {self.change[:60]}"


# Check-in at the door ----------------------------------------------------------


class CheckIn(models.Model):
    """A badge let in at a door: the venue's entrance, or one session's room.

    Recorded once: a badge is checked in at most once at the venue of a
    meeting and once per session (the two constraints below); scanning it
    again answers "already checked in" with this row's time and staff member.
    Written only by accreditation.services.checkin.
    """

    badge = models.ForeignKey(
        Badge,
        on_delete=models.CASCADE,
        related_name="check_ins",
        verbose_name=_("badge"),
    )
    meeting = models.ForeignKey(
        "dialogue.Meeting",
        on_delete=models.CASCADE,
        related_name="check_ins",
        verbose_name=_("meeting"),
    )
    # Empty: the venue's entrance.
    session = models.ForeignKey(
        "agenda.Session",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("session"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        verbose_name = _("door check-in")
        verbose_name_plural = _("door check-ins")
        ordering = ["-checked_in_at", "-pk"]
        permissions = [("check_in", _("Can check badges in at the door"))]
        constraints = [
            models.UniqueConstraint(
                fields=["badge", "meeting"],
                condition=Q(session__isnull=True),
                name="one_venue_check_in_per_badge",
            ),
            models.UniqueConstraint(
                fields=["badge", "session"],
                condition=Q(session__isnull=False),
                name="one_session_check_in_per_badge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.badge.holder_name_latin} @ {self.session or self.meeting}"
