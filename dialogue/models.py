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
    # Letterhead and documents. Uploaded images go to the default storage under
    # MEDIA_ROOT, which is never served under a public URL (settings.MEDIA_URL
    # has no route): they are read from disk when a PDF is rendered.
    logo = models.ImageField(
        _("logo or emblem"),
        upload_to="meetings/logos/",
        blank=True,
        help_text=_("PNG or JPEG, printed at the top of every document."),
    )
    logo_alt_en = models.CharField(
        _("logo description (English)"),
        max_length=200,
        blank=True,
        help_text=_("Read aloud by screen readers, e.g. Emblem of the United Nations."),
    )
    logo_alt_ru = models.CharField(
        _("logo description (Russian)"), max_length=200, blank=True
    )
    letterhead_en = models.TextField(
        _("letterhead (English)"),
        blank=True,
        help_text=_("The organisers' names as printed on the letterhead, one a line."),
    )
    letterhead_ru = models.TextField(_("letterhead (Russian)"), blank=True)
    document_symbol = models.CharField(
        _("document symbol"),
        max_length=60,
        blank=True,
        help_text=_("Printed on the cover, e.g. UNRCCA/2017/1."),
    )
    signatory_name_en = models.CharField(
        _("signatory's name (English)"), max_length=200, blank=True
    )
    signatory_name_ru = models.CharField(
        _("signatory's name (Russian)"), max_length=200, blank=True
    )
    signatory_title_en = models.CharField(
        _("signatory's title (English)"), max_length=300, blank=True
    )
    signatory_title_ru = models.CharField(
        _("signatory's title (Russian)"), max_length=300, blank=True
    )
    signature = models.ImageField(
        _("signature image"),
        upload_to="meetings/signatures/",
        blank=True,
        help_text=_("Optional; printed above the signatory's name on visa letters."),
    )
    visa_addressee_en = models.CharField(
        _("visa letters addressed to (English)"),
        max_length=300,
        blank=True,
        help_text=_("e.g. To the Consular Section of the Embassy of Turkmenistan."),
    )
    visa_addressee_ru = models.CharField(
        _("visa letters addressed to (Russian)"), max_length=300, blank=True
    )
    visa_en = models.TextField(_("visa (English)"), blank=True)
    visa_ru = models.TextField(_("visa (Russian)"), blank=True)
    arrival_en = models.TextField(
        _("arrival and airport reception (English)"), blank=True
    )
    arrival_ru = models.TextField(
        _("arrival and airport reception (Russian)"), blank=True
    )
    accreditation_en = models.TextField(
        _("accreditation and badges (English)"), blank=True
    )
    accreditation_ru = models.TextField(
        _("accreditation and badges (Russian)"), blank=True
    )
    security_en = models.TextField(_("security (English)"), blank=True)
    security_ru = models.TextField(_("security (Russian)"), blank=True)
    dress_code_en = models.TextField(_("dress code (English)"), blank=True)
    dress_code_ru = models.TextField(_("dress code (Russian)"), blank=True)
    local_transport_en = models.TextField(_("local transport (English)"), blank=True)
    local_transport_ru = models.TextField(_("local transport (Russian)"), blank=True)
    currency_en = models.TextField(_("currency (English)"), blank=True)
    currency_ru = models.TextField(_("currency (Russian)"), blank=True)
    climate_en = models.TextField(_("climate (English)"), blank=True)
    climate_ru = models.TextField(_("climate (Russian)"), blank=True)
    emergency_numbers_en = models.TextField(
        _("emergency numbers (English)"), blank=True
    )
    emergency_numbers_ru = models.TextField(
        _("emergency numbers (Russian)"), blank=True
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
    # Printed as the practical information, in this order, when filled.
    PRACTICAL_FIELDS = (
        "visa",
        "arrival",
        "accreditation",
        "security",
        "dress_code",
        "local_transport",
        "currency",
        "climate",
        "emergency_numbers",
    )

    def __str__(self) -> str:
        # In the interface's language: dropdowns, filters and messages name it.
        return f"{localized(self, 'short_title')} ({self.start_date:%Y})"

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
