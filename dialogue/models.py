"""The Meeting: every other record of the portal belongs to one."""

import zoneinfo

import pycountry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dialogue.i18n import localized


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone such as Asia/Ashgabat."),
            params={"value": value},
        )


def validate_country_code(value: str) -> None:
    if pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(
            _("%(value)s is not an ISO 3166 two-letter country code."),
            params={"value": value},
        )


def validate_language_list(value: str) -> None:
    codes = [code.strip() for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in ("en", "ru")]
    if not codes or unknown:
        raise ValidationError(
            _("Give the working languages as codes separated by commas: en, ru.")
        )


class Meeting(models.Model):
    """A high-level meeting, with its concept note in English and Russian."""

    slug = models.SlugField(_("short name"), unique=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    short_title_en = models.CharField(_("short title (English)"), max_length=120)
    short_title_ru = models.CharField(_("short title (Russian)"), max_length=120)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Ashgabat",
        validators=[validate_time_zone],
        help_text=_("IANA name; programme times are entered in this zone."),
    )
    venue_en = models.CharField(_("venue (English)"), max_length=200)
    venue_ru = models.CharField(_("venue (Russian)"), max_length=200)
    city_en = models.CharField(_("city (English)"), max_length=100)
    city_ru = models.CharField(_("city (Russian)"), max_length=100)
    country_code = models.CharField(
        _("country"),
        max_length=2,
        validators=[validate_country_code],
        help_text=_("ISO 3166 two-letter code, e.g. TM."),
    )
    venue_airport = models.CharField(
        _("venue airport (IATA)"),
        max_length=3,
        blank=True,
        help_text=_("Funded trips are checked against arrival at this airport."),
    )
    chair_en = models.CharField(_("chair (English)"), max_length=300)
    chair_ru = models.CharField(_("chair (Russian)"), max_length=300)
    organisers_en = models.TextField(_("organisers (English)"))
    organisers_ru = models.TextField(_("organisers (Russian)"))
    donors_en = models.TextField(_("donors (English)"), blank=True)
    donors_ru = models.TextField(_("donors (Russian)"), blank=True)
    working_languages = models.CharField(
        _("working languages"),
        max_length=20,
        default="en,ru",
        validators=[validate_language_list],
    )
    background_en = models.TextField(_("background (English)"))
    background_ru = models.TextField(_("background (Russian)"))
    objectives_en = models.TextField(_("objectives (English)"))
    objectives_ru = models.TextField(_("objectives (Russian)"))
    format_en = models.TextField(_("format (English)"))
    format_ru = models.TextField(_("format (Russian)"))
    participants_en = models.TextField(_("participants (English)"))
    participants_ru = models.TextField(_("participants (Russian)"))
    expected_outcomes_en = models.TextField(_("expected outcomes (English)"))
    expected_outcomes_ru = models.TextField(_("expected outcomes (Russian)"))
    secretariat_email = models.EmailField(_("secretariat email"), blank=True)
    secretariat_phone = models.CharField(
        _("secretariat phone"), max_length=40, blank=True
    )
    publish_programme = models.BooleanField(
        _("publish programme"),
        default=False,
        help_text=_("Show the programme, without personal data, on a public page."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="meeting_ends_on_or_after_start",
                violation_error_message=_("The last day cannot precede the first."),
            ),
        ]

    BILINGUAL_FIELDS = (
        "title",
        "short_title",
        "venue",
        "city",
        "chair",
        "organisers",
        "background",
        "objectives",
        "format",
        "participants",
        "expected_outcomes",
    )

    def __str__(self) -> str:
        return f"{self.short_title_en} ({self.start_date:%Y})"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def language_codes(self) -> list[str]:
        return [c.strip() for c in self.working_languages.split(",") if c.strip()]

    def title(self, lang: str | None = None) -> str:
        return localized(self, "title", lang)

    def country_name(self, lang: str | None = None) -> str:
        from dialogue.countries import country_name

        return country_name(self.country_code, lang)


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker answered a heartbeat task.

    Written by a task, so a row proves the whole path web → broker → worker →
    database works.
    """

    hostname = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))
    token = models.CharField(_("last token"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return self.hostname
