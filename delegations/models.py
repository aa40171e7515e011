"""Delegations, their delegates, travel, and the personal links they open."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from delegations.validators import (
    airport_time_zone,
    format_phone,
    validate_currency,
    validate_iata,
    validate_phone,
)
from dialogue.i18n import localized
from dialogue.models import Meeting, validate_country_code


class Language(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")


class Delegation(models.Model):
    """A Member State, an observer or the organiser at one meeting."""

    class Kind(models.TextChoices):
        MEMBER_STATE = "member_state", _("Member State")
        OBSERVER = "observer", _("observer")
        ORGANISER = "organiser", _("organiser")

    class Invitation(models.TextChoices):
        INVITED = "invited", _("invited")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined")

    DEFAULT_QUOTA = {Kind.MEMBER_STATE: 3, Kind.OBSERVER: 0, Kind.ORGANISER: 0}

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="delegations",
        verbose_name=_("meeting"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country_code = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text=_("ISO 3166 code for a State; empty for an organisation."),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    is_host = models.BooleanField(_("host country"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    invitation_status = models.CharField(
        _("invitation"),
        max_length=20,
        choices=Invitation.choices,
        default=Invitation.INVITED,
    )
    invited_on = models.DateField(_("invited on"), null=True, blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    level_en = models.CharField(_("level (English)"), max_length=200, blank=True)
    level_ru = models.CharField(_("level (Russian)"), max_length=200, blank=True)
    focal_point_name = models.CharField(_("focal point"), max_length=200, blank=True)
    focal_point_email = models.EmailField(_("focal point email"), blank=True)
    focal_point_phone = models.CharField(
        _("focal point phone"), max_length=32, blank=True, validators=[validate_phone]
    )
    language = models.CharField(
        _("language of correspondence"),
        max_length=2,
        choices=Language.choices,
        default=Language.EN,
    )
    funded_quota = models.PositiveSmallIntegerField(
        _("funded quota"),
        help_text=_("How many delegates the project pays travel for."),
    )
    # Kept by the database's triggers (migrations/0007), never by the ORM: every
    # change of a funded delegate updates this row, so two transactions funding
    # the same delegation always collide on it, whatever their isolation level.
    funded_count = models.PositiveSmallIntegerField(
        _("funded delegates"),
        default=0,
        editable=False,
        help_text=_("Counted by the database as delegates are funded."),
    )
    # A history row would freeze a count that the triggers keep changing.
    history = HistoricalRecords(excluded_fields=["funded_count"])

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["meeting", "sort_order", "name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "name_en"], name="delegation_unique_name"
            ),
            models.UniqueConstraint(
                fields=["meeting", "country_code"],
                condition=~Q(country_code=""),
                name="delegation_unique_country",
            ),
            models.CheckConstraint(
                condition=Q(funded_quota__lte=20), name="delegation_quota_sane"
            ),
            models.CheckConstraint(
                condition=Q(funded_count__gte=0, funded_count__lte=F("funded_quota")),
                name="delegation_funded_within_quota",
                violation_error_message=_(
                    "The quota cannot be lower than the delegates already funded."
                ),
            ),
        ]

    def __str__(self) -> str:
        # In the interface's language: dropdowns, filters and messages name it.
        return self.localised_name

    def save(self, *args, **kwargs):
        # funded_count is the database's: an UPDATE from this instance would
        # write back the count it read earlier (stale once a delegate was funded
        # since), so it is never among the columns saved. An insert writes the
        # default, which the database replaces with the real count.
        updating = self.pk is not None and not self._state.adding
        if updating and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if fields is None:
                fields = [
                    f.name for f in self._meta.concrete_fields if not f.primary_key
                ]
            kwargs["update_fields"] = [
                name for name in fields if name != "funded_count"
            ]
        super().save(*args, **kwargs)

    @property
    def localised_name(self) -> str:
        return localized(self, "name")

    def name(self, lang: str | None = None) -> str:
        return localized(self, "name", lang)

    def level(self, lang: str | None = None) -> str:
        return localized(self, "level", lang)


class Accreditation(models.TextChoices):
    """Where a delegate stands, in the order it runs."""

    NOMINATED = "nominated", _("nominated")
    ACCREDITED = "accredited", _("accredited")
    BADGE_PRINTED = "badge_printed", _("badge printed")
    CHECKED_IN = "checked_in", _("checked in")


class Delegate(models.Model):
    """A person on a delegation's list, funded or not."""

    class Role(models.TextChoices):
        HEAD = "head", _("Head of delegation (Minister of Foreign Affairs)")
        COUNTER_TERRORISM = "counter_terrorism", _("Head of counter-terrorism agency")
        SECURITY = "security", _("National security organ")
        ADVISER = "adviser", _("Adviser")
        UN_OFFICIAL = "un_official", _("UN official")
        OTHER = "other", _("Other")

    class Honorific(models.TextChoices):
        # One choice prints in either language: the label is the English form
        # and its translation the Russian one (documents render it under
        # translation.override).
        EXCELLENCY = "he", _("H.E.")
        MR = "mr", _("Mr.")
        MS = "ms", _("Ms.")
        DR = "dr", _("Dr.")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="delegates",
        verbose_name=_("meeting"),
        editable=False,
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="delegates",
        verbose_name=_("delegation"),
    )
    honorific = models.CharField(
        _("honorific"),
        max_length=2,
        choices=Honorific.choices,
        blank=True,
        help_text=_("Printed before the name: H.E. / Е. П., Mr. / г-н, Ms. / г-жа."),
    )
    name_latin = models.CharField(_("name (Latin script)"), max_length=200)
    name_cyrillic = models.CharField(_("name (Cyrillic script)"), max_length=200)
    position_en = models.CharField(_("position (English)"), max_length=300)
    position_ru = models.CharField(_("position (Russian)"), max_length=300)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        validators=[validate_phone],
        help_text=_("International form, e.g. +993 12 345678."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.RU,
    )
    funded = models.BooleanField(
        _("funded"),
        default=False,
        help_text=_("The project pays this delegate's travel (within the quota)."),
    )
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility_needs = models.CharField(
        _("accessibility needs"), max_length=300, blank=True
    )
    # Moved forward only by the accreditation services: credentials approved,
    # badge printed, checked in at the door.
    accreditation = models.CharField(
        _("accreditation"),
        max_length=20,
        choices=Accreditation.choices,
        default=Accreditation.NOMINATED,
        # In the database too: a row written by any other client (an import
        # tool, a script) starts nominated rather than failing NOT NULL.
        db_default=Accreditation.NOMINATED,
        editable=False,
    )
    history = HistoricalRecords(excluded_fields=["meeting"])

    class Meta:
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        ordering = ["delegation__sort_order", "delegation__name_en", "sort_order"]
        constraints = [
            # Emails differing only in case are one address: the index is on
            # LOWER(email), what delegations.services.check_unique_email
            # compares.
            models.UniqueConstraint(
                "meeting",
                Lower("email"),
                condition=~Q(email=""),
                name="delegate_unique_email_per_meeting",
                violation_error_message=_(
                    "Another delegate of this meeting has this email."
                ),
            ),
        ]
        permissions = [
            ("import_delegates", _("Can import delegates and flights")),
        ]

    def __str__(self) -> str:
        return self.name_latin

    def save(self, *args, **kwargs):
        # The meeting is the delegation's; kept on the row for the unique email.
        self.meeting_id = self.delegation.meeting_id
        super().save(*args, **kwargs)

    def name(self, lang: str | None = None) -> str:
        """Return the name in the script of the language."""
        if (lang or "en")[:2] == "ru":
            return self.name_cyrillic or self.name_latin
        return self.name_latin or self.name_cyrillic

    def position(self, lang: str | None = None) -> str:
        return localized(self, "position", lang)

    def formal_name(self, lang: str | None = None) -> str:
        """Return the name with its honorific in lang: "H.E. …", «г‑н …».

        The honorific and the name are held together by a no-break space, and
        the hyphen of «г-н» is a non-breaking one.
        """
        name = self.name(lang)
        if not self.honorific:
            return name
        with translation.override((lang or "en")[:2]):
            title = str(self.Honorific(self.honorific).label)
        return f"{title.replace('-', chr(0x2011))}\u00a0{name}"

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)


class Passport(models.Model):
    """Passport details for visa support; only staff with a permission see them."""

    delegate = models.OneToOneField(
        Delegate,
        on_delete=models.CASCADE,
        related_name="passport",
        verbose_name=_("delegate"),
    )
    number = models.CharField(_("passport number"), max_length=30)
    nationality = models.CharField(
        _("nationality"), max_length=2, validators=[validate_country_code]
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("passport")
        verbose_name_plural = _("passports")
        permissions = [("view_passport_details", _("Can see passport details"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True)
                | Q(expires_on__gt=models.F("issued_on")),
                name="passport_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return _("Passport of %(name)s") % {"name": self.delegate.name_latin}

    @property
    def masked_number(self) -> str:
        return "•" * max(len(self.number) - 3, 0) + self.number[-3:]


class FlightLeg(models.Model):
    """One flight of a delegate's trip; times are stored in UTC."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        BOOKED = "booked", _("booked")
        TICKETED = "ticketed", _("ticketed")
        CANCELLED = "cancelled", _("cancelled")

    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.CASCADE,
        related_name="flights",
        verbose_name=_("delegate"),
    )
    carrier = models.CharField(_("carrier"), max_length=100)
    flight_number = models.CharField(_("flight number"), max_length=10)
    from_airport = models.CharField(
        _("from (IATA)"), max_length=3, validators=[validate_iata]
    )
    to_airport = models.CharField(
        _("to (IATA)"), max_length=3, validators=[validate_iata]
    )
    departs_at = models.DateTimeField(_("departs (UTC)"))
    arrives_at = models.DateTimeField(_("arrives (UTC)"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    booking_reference = models.CharField(
        _("booking reference"), max_length=20, blank=True
    )
    fare = models.DecimalField(
        _("fare"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", validators=[validate_currency]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flight")
        verbose_name_plural = _("flights")
        ordering = ["departs_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(arrives_at__gt=models.F("departs_at")),
                name="flight_arrives_after_departure",
                violation_error_message=_("A flight must arrive after it departs."),
            ),
            models.CheckConstraint(
                condition=~Q(from_airport=models.F("to_airport")),
                name="flight_between_two_airports",
                violation_error_message=_("A flight goes between two airports."),
            ),
            models.CheckConstraint(
                condition=Q(fare__isnull=True) | Q(fare__gte=0),
                name="flight_fare_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.carrier} {self.flight_number} {self.from_airport}-{self.to_airport}"
        )

    @property
    def departure_zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(airport_time_zone(self.from_airport))

    @property
    def arrival_zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(airport_time_zone(self.to_airport))

    @property
    def departs_local(self):
        return self.departs_at.astimezone(self.departure_zone)

    @property
    def arrives_local(self):
        return self.arrives_at.astimezone(self.arrival_zone)


class HotelStay(models.Model):
    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.CASCADE,
        related_name="hotel_stays",
        verbose_name=_("delegate"),
    )
    hotel_en = models.CharField(_("hotel (English)"), max_length=200)
    hotel_ru = models.CharField(_("hotel (Russian)"), max_length=200)
    check_in = models.DateField(_("check-in"))
    check_out = models.DateField(_("check-out"))
    confirmation_number = models.CharField(
        _("confirmation number"), max_length=40, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hotel stay")
        verbose_name_plural = _("hotel stays")
        ordering = ["check_in"]
        # Stays of one delegate never overlap: an exclusion constraint on
        # PostgreSQL, triggers on SQLite (migrations/0006), so it is not here.
        constraints = [
            models.CheckConstraint(
                condition=Q(check_out__gt=models.F("check_in")),
                name="stay_checks_out_after_check_in",
                violation_error_message=_("Check-out must be after check-in."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hotel_en} {self.check_in}–{self.check_out}"

    def hotel(self, lang: str | None = None) -> str:
        return localized(self, "hotel", lang)


class GroundTransfer(models.Model):
    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.CASCADE,
        related_name="transfers",
        verbose_name=_("delegate"),
    )
    pickup_at = models.DateTimeField(_("pickup time"))
    pickup_place_en = models.CharField(_("pickup place (English)"), max_length=200)
    pickup_place_ru = models.CharField(_("pickup place (Russian)"), max_length=200)
    destination_en = models.CharField(_("destination (English)"), max_length=200)
    destination_ru = models.CharField(_("destination (Russian)"), max_length=200)
    flight = models.ForeignKey(
        FlightLeg,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("flight met or seen off"),
        help_text=_("The flight this car meets or takes the delegate to."),
    )
    vehicle = models.CharField(
        _("vehicle"),
        max_length=100,
        blank=True,
        help_text=_("Car and plate, as the transport officer names it."),
    )
    driver_name = models.CharField(_("driver"), max_length=200, blank=True)
    driver_phone = models.CharField(
        _("driver's phone"), max_length=32, blank=True, validators=[validate_phone]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ground transfer")
        verbose_name_plural = _("ground transfers")
        ordering = ["pickup_at"]
        permissions = [
            ("view_pickups", _("Can see the day's pickups (transport officer)")),
        ]

    def __str__(self) -> str:
        return f"{self.pickup_place_en} → {self.destination_en}"

    def pickup_place(self, lang: str | None = None) -> str:
        return localized(self, "pickup_place", lang)

    def destination(self, lang: str | None = None) -> str:
        return localized(self, "destination", lang)

    @property
    def driver_phone_display(self) -> str:
        return format_phone(self.driver_phone)


class AccessLink(models.Model):
    """A personal link for a delegate, or a focal-point link for a delegation.

    The token is random and unrelated to any id; a link that is unknown, revoked
    or expired answers the same 404.
    """

    class Kind(models.TextChoices):
        DELEGATE = "delegate", _("delegate")
        FOCAL_POINT = "focal_point", _("focal point")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links",
        verbose_name=_("delegate"),
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links",
        verbose_name=_("delegation"),
    )
    # The token itself is never stored (delegations.tokens): its digest finds
    # the link, and the sealed copy opens only with the key in the settings.
    digest = models.CharField(
        _("token digest"), max_length=64, unique=True, editable=False
    )
    sealed_token = models.TextField(_("sealed token"), editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("last opened"), null=True, blank=True)

    class Meta:
        verbose_name = _("access link")
        verbose_name_plural = _("access links")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="delegate", delegate__isnull=False, delegation__isnull=True)
                    | Q(
                        kind="focal_point",
                        delegate__isnull=True,
                        delegation__isnull=False,
                    )
                ),
                name="link_target_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["delegate"],
                condition=Q(revoked_at__isnull=True, delegate__isnull=False),
                name="one_active_link_per_delegate",
            ),
            models.UniqueConstraint(
                fields=["delegation"],
                condition=Q(revoked_at__isnull=True, delegation__isnull=False),
                name="one_active_link_per_delegation",
            ),
        ]

    def __str__(self) -> str:
        target = self.delegate or self.delegation
        return f"{self.get_kind_display()}: {target}"

    @property
    def token(self) -> str | None:
        """The token in this link's URL (None when no configured key opens it)."""
        from delegations.tokens import unseal

        if not hasattr(self, "_token"):
            self._token = unseal(self.sealed_token) if self.sealed_token else None
        return self._token

    @token.setter
    def token(self, value: str) -> None:
        from delegations.tokens import seal, token_digest

        self._token = value
        self.digest = token_digest(value)
        self.sealed_token = seal(value)


class SelfServiceChange(models.Model):
    """A change a delegate or focal point made on their own page."""

    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.CASCADE,
        related_name="self_service_changes",
        verbose_name=_("delegate"),
    )
    changed_by = models.CharField(_("changed by"), max_length=200)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    field = models.CharField(_("field"), max_length=60)
    old_value = models.CharField(_("old value"), max_length=300, blank=True)
    new_value = models.CharField(_("new value"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("self-service change")
        verbose_name_plural = _("self-service changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delegate}: {self.field}"

    @property
    def field_label(self) -> str:
        """Return the translated name of the changed field ("passport.number")."""
        model, _dot, name = self.field.rpartition(".")
        owner = Passport if model == "passport" else Delegate
        try:
            label = str(owner._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a field renamed since the change was recorded
            return self.field
        return f"{Passport._meta.verbose_name}: {label}" if model else label


# The statuses each phase of an import job goes through (a database constraint).
IMPORT_PREVIEW_STATUSES = ("queued", "running", "previewed", "refused", "failed")
IMPORT_CONFIRM_STATUSES = ("queued", "importing", "done", "refused", "failed")


class ImportJob(models.Model):
    """One upload of delegates or flights, previewed and then imported by a worker.

    The file waits in PrivateImportStorage under `file_name`. A job goes
    queued -> running -> previewed (or refused) in the preview phase, then
    queued -> importing -> done (or refused) once confirmed; failed in either
    phase when the worker gave up, with the reason, and can be retried. While a
    worker runs it, rows_done is kept beside the file (see delegations.imports).
    """

    class Kind(models.TextChoices):
        DELEGATES = "delegates", _("delegates")
        FLIGHTS = "flights", _("flights")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Phase(models.TextChoices):
        PREVIEW = "preview", _("preview")
        CONFIRM = "confirm", _("import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("checking")
        PREVIEWED = "previewed", _("checked, waiting for confirmation")
        REFUSED = "refused", _("refused")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    ACTIVE_STATUSES = ("queued", "running", "importing")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="import_jobs",
        verbose_name=_("uploaded by"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("meeting"),
    )
    kind = models.CharField(_("records"), max_length=10, choices=Kind.choices)
    file_name = models.CharField(
        _("stored file"),
        max_length=32,
        help_text=_("Name of the file in MEDIA_ROOT/import-tmp."),
    )
    original_name = models.CharField(_("file"), max_length=255, blank=True)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    language = models.CharField(
        _("language of the messages"), max_length=10, default="en"
    )
    phase = models.CharField(
        _("phase"), max_length=10, choices=Phase.choices, default=Phase.PREVIEW
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_new = models.PositiveIntegerField(_("new"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_skipped = models.PositiveIntegerField(_("skipped"), default=0)
    problem_count = models.PositiveIntegerField(_("refused rows"), default=0)
    problems = models.JSONField(
        _("refusals"),
        default=list,
        blank=True,
        help_text=_("Every refusal: row, column and message."),
    )
    preview = models.JSONField(
        _("preview"),
        default=dict,
        blank=True,
        help_text=_("The header and the first rows to be imported."),
    )
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["delegates", "flights"]),
                name="importjob_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(file_format__in=["csv", "xlsx"]),
                name="importjob_format_valid",
            ),
            # A status belongs to its phase: "importing" and "done" only after
            # confirmation, "running" and "previewed" only before.
            models.CheckConstraint(
                condition=Q(phase="preview", status__in=IMPORT_PREVIEW_STATUSES)
                | Q(phase="confirm", status__in=IMPORT_CONFIRM_STATUSES),
                name="importjob_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total")),
                name="importjob_progress_within_total",
            ),
            # Only a file without a refused row is confirmed and imported.
            models.CheckConstraint(
                condition=~Q(
                    phase="confirm", status__in=["queued", "importing", "done"]
                )
                | Q(problem_count=0),
                name="importjob_confirm_only_clean_file",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="importjob_failure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name or self.file_name}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def may_confirm(self) -> bool:
        return self.status == self.Status.PREVIEWED and self.problem_count == 0
