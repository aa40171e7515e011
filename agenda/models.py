"""The programme of a meeting: rooms, sessions, and the speaking order.

Times are stored in UTC and entered and shown in the meeting's time zone.
Rules that must always hold are enforced by the database: positions unique per
session (a constraint), sessions in one room not overlapping and speakers
belonging to the session's meeting (triggers, agenda/migrations/0002).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from delegations.models import Delegate, Delegation
from dialogue.i18n import localized
from dialogue.models import Meeting
from dialogue.timefmt import format_datetime


class Room(models.Model):
    """A room or venue where sessions take place."""

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="rooms",
        verbose_name=_("meeting"),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    venue_en = models.CharField(
        _("venue (English)"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty when the room is at the meeting's venue."),
    )
    venue_ru = models.CharField(_("venue (Russian)"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["meeting", "sort_order", "name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "name_en"],
                name="room_unique_name",
                violation_error_message=_("This meeting already has a room so named."),
            ),
        ]

    def __str__(self) -> str:
        # In the interface's language: the admin's messages name rooms.
        return self.place()

    def name(self, lang: str | None = None) -> str:
        return localized(self, "name", lang)

    def place(self, lang: str | None = None) -> str:
        """Return the room with its venue, e.g. 'Restaurant, Yyldyz Hotel'."""
        venue = localized(self, "venue", lang)
        return f"{self.name(lang)}, {venue}" if venue else self.name(lang)


class Session(models.Model):
    """One item of the programme: a session, a segment, or the working dinner."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening and keynote")
        THEMATIC = "thematic", _("High-level thematic session")
        SEGMENT = "segment", _("Segment")
        ADOPTION = "adoption", _("Adoption")
        DINNER = "dinner", _("Working dinner")
        OTHER = "other", _("Other")

    class Format(models.TextChoices):
        PLENARY = "plenary", _("plenary")
        CLOSED = "closed", _("closed")
        INFORMAL = "informal", _("informal")

    class Interpretation(models.TextChoices):
        EN_RU = "en_ru", _("English ↔ Russian")
        NONE = "none", _("none")

    class Invitation(models.TextChoices):
        ALL = "all", _("all delegations")
        HEADS = "heads", _("heads of delegation only")
        CHOSEN = "chosen", _("chosen delegations only")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("meeting"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    start_at = models.DateTimeField(_("starts (UTC)"))
    end_at = models.DateTimeField(_("ends (UTC)"))
    room = models.ForeignKey(
        Room,
        # RESTRICT, not PROTECT: deleting a whole meeting removes its sessions too.
        on_delete=models.RESTRICT,
        related_name="sessions",
        verbose_name=_("room or venue"),
    )
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.PLENARY
    )
    interpretation = models.CharField(
        _("interpretation"),
        max_length=20,
        choices=Interpretation.choices,
        default=Interpretation.EN_RU,
        help_text=_("Simultaneous interpretation provided between these languages."),
    )
    chairs = models.ManyToManyField(
        Delegate, blank=True, related_name="chaired_sessions", verbose_name=_("chairs")
    )
    hosts = models.ManyToManyField(
        Delegate,
        blank=True,
        related_name="hosted_sessions",
        verbose_name=_("hosts"),
        help_text=_("For a dinner or reception: who hosts it."),
    )
    invitation = models.CharField(
        _("who is invited"),
        max_length=20,
        choices=Invitation.choices,
        default=Invitation.ALL,
    )
    invited_delegations = models.ManyToManyField(
        Delegation,
        blank=True,
        related_name="invited_sessions",
        verbose_name=_("chosen delegations"),
        help_text=_(
            "Required for 'chosen delegations only'. With 'heads of delegation "
            "only', limits the invitation to the heads of these delegations."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["meeting", "start_at", "room__sort_order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("start_at")),
                name="session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        # In the interface's language, on the meeting's clock: the admin's
        # messages name sessions by this.
        if not self.start_at:
            return self.title()
        when = format_datetime(self.start_at, self.meeting.tzinfo, with_zone=False)
        return f"{self.title()} ({when})"

    def title(self, lang: str | None = None) -> str:
        return localized(self, "title", lang)

    def description(self, lang: str | None = None) -> str:
        return localized(self, "description", lang)

    @property
    def start_local(self):
        return self.start_at.astimezone(self.meeting.tzinfo)

    @property
    def end_local(self):
        return self.end_at.astimezone(self.meeting.tzinfo)

    @property
    def duration_minutes(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)


class SpeakingSlot(models.Model):
    """A speaker's turn in a session; positions run 1..n without gaps."""

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="slots",
        verbose_name=_("session"),
    )
    position = models.PositiveSmallIntegerField(_("order"))
    speaker = models.ForeignKey(
        Delegate,
        # RESTRICT: a speaking delegate cannot be deleted on their own, but a
        # meeting (sessions and delegates together) still can.
        on_delete=models.RESTRICT,
        related_name="speaking_slots",
        verbose_name=_("speaker"),
    )
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    subject_ru = models.CharField(_("subject (Russian)"), max_length=300, blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"))

    class Meta:
        verbose_name = _("speaking slot")
        verbose_name_plural = _("speaking slots")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"],
                name="slot_unique_position",
                violation_error_message=_("Two speakers cannot share a position."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="slot_position_positive"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=600),
                name="slot_minutes_sane",
                violation_error_message=_("Allot between 1 and 600 minutes."),
            ),
        ]

    def __str__(self) -> str:
        # Names the session: the admin lists this when a delete is refused.
        return _("%(position)s. %(speaker)s in the session “%(session)s”") % {
            "position": self.position,
            "speaker": self.speaker.name_latin,
            "session": self.session,
        }

    def subject(self, lang: str | None = None) -> str:
        return localized(self, "subject", lang)
