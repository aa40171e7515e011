"""The content of a visa support letter: a bilingual letter of invitation.

Built from the delegate's passport details and itinerary. Only staff with
delegations.view_passport_details can produce or download one (see admin.py).
"""

from typing import TYPE_CHECKING

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from delegations.selectors import delegate_for_letter
from dialogue.countries import country_name
from dialogue.documents import airport_place, meeting_image
from dialogue.i18n import localized
from dialogue.packs.content import (
    fmt_date,
    fmt_datetime,
    meeting_dates,
    paragraphs,
)

if TYPE_CHECKING:  # for annotations only: data comes through the selectors
    from delegations.models import Delegate


def letter_paragraphs(delegate: "Delegate", lang: str) -> dict:
    meeting = delegate.delegation.meeting
    passport = delegate.passport
    venue = meeting.venue_airport
    flights = list(delegate.flights.all())  # the selector leaves cancelled out
    arrival = next((f for f in flights if f.to_airport == venue), None)
    departure = next((f for f in reversed(flights) if f.from_airport == venue), None)
    stays = list(delegate.hotel_stays.all())
    with translation.override(lang):
        facts = [
            (_("Name"), delegate.name_latin),
            (_("Name (Cyrillic)"), delegate.name_cyrillic),
            (_("Position"), delegate.position(lang)),
            (_("Delegation"), delegate.delegation.name(lang)),
            (_("Nationality"), country_name(passport.nationality, lang)),
            (
                _("Date of birth"),
                fmt_date(passport.date_of_birth, lang)
                if passport.date_of_birth
                else "",
            ),
            (_("Passport number"), passport.number),
            (_("Passport valid until"), fmt_date(passport.expires_on, lang)),
            (
                _("Arrival"),
                f"{arrival.carrier} {arrival.flight_number}, "
                f"{fmt_datetime(arrival.arrives_local, lang)}, "
                f"{airport_place(arrival.to_airport, lang)}"
                if arrival
                else "",
            ),
            (
                _("Departure"),
                f"{departure.carrier} {departure.flight_number}, "
                f"{fmt_datetime(departure.departs_local, lang)}, "
                f"{airport_place(departure.from_airport, lang)}"
                if departure
                else "",
            ),
            (
                _("Accommodation"),
                "; ".join(
                    f"{s.hotel(lang)}, {fmt_date(s.check_in, lang)} – "
                    f"{fmt_date(s.check_out, lang)}"
                    for s in stays
                ),
            ),
        ]
        body = [
            localized(meeting, "visa_addressee", lang)
            or _("To the Consular Section of the Embassy of %(country)s")
            % {"country": meeting.country_name(lang)},
            _(
                "The secretariat of the %(meeting)s, to be held in %(city)s on "
                "%(dates)s, presents its compliments and has the honour to confirm "
                "that the person named below is invited to take part in the meeting "
                "as a member of the delegation of %(delegation)s."
            )
            % {
                "meeting": localized(meeting, "title", lang),
                "city": localized(meeting, "city", lang),
                "dates": meeting_dates(meeting, lang),
                "delegation": delegate.delegation.name(lang),
            },
            _(
                "The travel and accommodation of this participant are covered by the "
                "project funded by %(donors)s. The secretariat would be grateful for "
                "the issuance of an entry visa valid for the dates of travel."
            )
            % {"donors": localized(meeting, "donors", lang) or "—"},
        ]
        closing = _(
            "The secretariat avails itself of this opportunity to renew the "
            "assurances of its highest consideration."
        )
        return {
            "heading": _("Letter of invitation for visa purposes"),
            "salutation": body[0],
            "body": body[1:],
            "facts": [(k, v) for k, v in facts if v],
            "closing": closing,
            "signature": _("Secretariat of the meeting"),
            "signatory_name": localized(meeting, "signatory_name", lang),
            "signatory_title": localized(meeting, "signatory_title", lang),
            "organisers": localized(meeting, "organisers", lang),
            "letterhead": paragraphs(localized(meeting, "letterhead", lang)),
            "logo": meeting_image(meeting, "logo"),
            "logo_alt": localized(meeting, "logo_alt", lang)
            or localized(meeting, "short_title", lang),
            "reference_label": _("Reference"),
            "date": fmt_date(timezone.localdate(), lang),
        }


def paired_facts(en: list, ru: list) -> list[tuple]:
    """Return (English term, Russian term, values) rows of the one facts table.

    values is one string when both languages print the same (a passport
    number), else the English and the Russian value.
    """
    return [
        (term_en, term_ru, [value_en] if value_en == value_ru else [value_en, value_ru])
        for (term_en, value_en), (term_ru, value_ru) in zip(en, ru, strict=True)
    ]


def letter_content(delegate_id: int) -> dict:
    """Return the letter's template context, English and Russian side by side."""
    delegate = delegate_for_letter(delegate_id)
    meeting = delegate.delegation.meeting
    en = letter_paragraphs(delegate, "en")
    ru = letter_paragraphs(delegate, "ru")
    return {
        "html_lang": "en",
        "edition": "bilingual",
        "start_page": 1,
        "doc_title": f"{en['heading']}: {delegate.name_latin}",
        "running": f"{meeting.short_title_en} / {meeting.short_title_ru}",
        "reference": f"{meeting.slug.upper()}/VISA/{delegate.pk:04d}",
        "langs": ("en", "ru"),
        "heads": [en, ru],
        "signature_image": meeting_image(meeting, "signature"),
        "facts": paired_facts(en["facts"], ru["facts"]),
        "en": en,
        "ru": ru,
        "rows": [
            ("salutation", en["salutation"], ru["salutation"]),
            *[("p", a, b) for a, b in zip(en["body"], ru["body"], strict=True)],
        ],
    }
