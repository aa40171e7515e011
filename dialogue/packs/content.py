"""Everything a pack shows, read once into plain dicts of strings.

A pack is the shared part (overview, programme, participants, declaration,
practical information: the same for every delegation of a meeting) plus the
delegation's own itineraries. Each part is a dict of already formatted strings
in the pack's language, so that

* the templates only print (and Django escapes) what they are given;
* the fingerprint is the hash of exactly what is printed.

Sections are lists of blocks ({"kind": ..., ...}); the bilingual edition sets
the English and Russian blocks of a section side by side.

The programme comes from agenda (when installed); the declaration section from
the declaration app's selectors (version_paragraphs, previous_circulated,
as_paras) and its paragraph-aware diff (changed_paragraphs).
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.utils import formats, translation
from django.utils.translation import gettext as _

from delegations import selectors as delegation_selectors
from dialogue.documents import airport_place, meeting_image, place
from dialogue.i18n import localized
from dialogue.models import Meeting
from dialogue.timefmt import meeting_zone_name

if TYPE_CHECKING:  # for annotations only: data comes through the selectors
    from delegations.models import Delegate, Delegation

LANGS = ("en", "ru")


def fmt_date(value: datetime.date, lang: str) -> str:
    with translation.override(lang):
        return formats.date_format(value, "j E Y" if lang == "ru" else "j F Y")


def fmt_datetime(value: datetime.datetime, lang: str) -> str:
    with translation.override(lang):
        pattern = "j E Y, H:i" if lang == "ru" else "j F Y, H:i"
        return formats.date_format(value, pattern)


def fmt_time(value: datetime.datetime) -> str:
    return value.strftime("%H:%M")


def utc_offset(value: datetime.datetime) -> str:
    offset = value.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


# The embedded font (Noto Sans) has no arrows; print these as dashes.
GLYPHS = str.maketrans({"→": "–", "↔": "–", "←": "–"})


def printable(text) -> str:
    """Return text with the characters the embedded font lacks replaced."""
    return str(text or "").translate(GLYPHS)


def paragraphs(text: str) -> list[str]:
    """Split plain text into paragraphs, one per line (never markup)."""
    parts = [" ".join(line.split()) for line in (text or "").splitlines()]
    return [printable(p) for p in parts if p]


BULLET_MARKS = ("- ", "\u2022 ", "* ", "\u2013 ")


def text_blocks(text: str, key: str) -> list[dict]:
    """Return paragraphs as blocks: lines typed as "- item" become one list.

    Each block has a key (key-0, key-1, ...) that the bilingual edition pairs
    the English and Russian blocks by.
    """
    blocks: list[dict] = []
    for line in paragraphs(text):
        mark = next((m for m in BULLET_MARKS if line.startswith(m)), None)
        if mark is None:
            blocks.append({"kind": "p", "text": line})
        elif blocks and blocks[-1]["kind"] == "ul":
            blocks[-1]["items"].append(line[len(mark) :])
        else:
            blocks.append({"kind": "ul", "items": [line[len(mark) :]]})
    for index, block in enumerate(blocks):
        block["key"] = f"{key}-{index}"
    return blocks


def meeting_dates(meeting: Meeting, lang: str) -> str:
    if meeting.start_date == meeting.end_date:
        return fmt_date(meeting.start_date, lang)
    return f"{fmt_date(meeting.start_date, lang)} – {fmt_date(meeting.end_date, lang)}"


# Shared part ---------------------------------------------------------------


def meeting_facts(meeting: Meeting, lang: str) -> dict:
    venue = localized(meeting, "venue", lang)
    city = localized(meeting, "city", lang)
    return {
        "letterhead": paragraphs(localized(meeting, "letterhead", lang)),
        "logo": meeting_image(meeting, "logo"),
        "logo_alt": localized(meeting, "logo_alt", lang)
        or localized(meeting, "short_title", lang),
        "symbol": meeting.document_symbol,
        "place": place(venue, city, meeting.country_name(lang)),
        "title": localized(meeting, "title", lang),
        "short_title": localized(meeting, "short_title", lang),
        "dates": meeting_dates(meeting, lang),
        "venue": localized(meeting, "venue", lang),
        "city": localized(meeting, "city", lang),
        "country": meeting.country_name(lang),
        "chair": localized(meeting, "chair", lang),
        "organisers": localized(meeting, "organisers", lang),
        "donors": localized(meeting, "donors", lang),
        "time_zone": meeting.time_zone,
    }


def overview_blocks(meeting: Meeting, lang: str) -> list[dict]:
    with translation.override(lang):
        headings = [
            ("background", _("Background")),
            ("objectives", _("Objectives")),
            ("format", _("Format")),
            ("participants", _("Participation")),
            ("expected_outcomes", _("Expected outcomes")),
        ]
    blocks = []
    for field, heading in headings:
        blocks.append({"kind": "h2", "text": heading, "key": field})
        blocks += text_blocks(localized(meeting, field, lang), field)
    return blocks


def agenda_available() -> bool:
    try:
        apps.get_model("agenda", "Session")
        import agenda.selectors  # noqa: F401
    except (LookupError, ImportError):
        return False
    return True


def load_programme(meeting: Meeting) -> list:
    """Return the meeting's sessions with slots prefetched, or [] without agenda."""
    if not agenda_available():
        return []
    from agenda.selectors import programme_queryset

    return list(programme_queryset(meeting))


def programme_blocks(sessions: list, lang: str) -> list[dict]:
    """Return one block per session with the speaking order and clock times."""
    from_agenda = agenda_available()
    blocks = []
    for session in sessions:
        from agenda.selectors import speakers_list

        start, end = session.start_local, session.end_local
        with translation.override(lang):
            details = [
                session.room.place(lang),
                str(session.get_format_display()),
                _("interpretation: %(pairs)s")
                % {"pairs": printable(session.get_interpretation_display())},
                _("invited: %(who)s") % {"who": session.get_invitation_display()},
            ]
            chairs_label = _("Hosts") if session.hosts.all() else _("Chair")
        people = list(session.hosts.all()) or list(session.chairs.all())
        blocks.append(
            {
                "kind": "session",
                "key": f"session-{session.pk}",
                "day": fmt_date(start.date(), lang),
                "time": f"{fmt_time(start)}–{fmt_time(end)}",
                "title": session.title(lang),
                "details": " · ".join(d for d in details if d),
                "description": paragraphs(session.description(lang)),
                "chairs_label": chairs_label,
                "chairs": ", ".join(formal_name(p, lang) for p in people),
                "slots": [
                    {
                        "order": row.slot.position,
                        "clock": f"{fmt_time(row.starts)}–{fmt_time(row.ends)}",
                        "speaker": formal_name(row.slot.speaker, lang),
                        "delegation": row.slot.speaker.delegation.name(lang),
                        "subject": row.slot.subject(lang),
                        "minutes": row.slot.minutes,
                    }
                    for row in speakers_list(session)
                ],
            }
        )
    if not blocks:
        with translation.override(lang):
            note = (
                _("The programme will be announced by the secretariat.")
                if from_agenda
                else _("The programme is not yet available.")
            )
        blocks.append({"kind": "p", "text": note, "muted": True})
    return blocks


def formal_name(person, lang: str) -> str:
    """Return a delegate's name with the honorific (a name alone otherwise)."""
    formal = getattr(person, "formal_name", None)
    return formal(lang) if formal else person.name(lang)


def participant_blocks(delegations: "list[Delegation]", lang: str) -> list[dict]:
    """Return one block per delegation with its delegates in the pack's script."""
    return [
        {
            "kind": "delegation",
            "key": f"delegation-{delegation.pk}",
            "name": delegation.name(lang),
            "delegates": [
                {"name": formal_name(d, lang), "position": d.position(lang)}
                for d in delegation.delegates.all()
            ],
        }
        for delegation in delegations
    ]


# Declaration ----------------------------------------------------------------


def load_declaration(meeting: Meeting) -> tuple | None:
    """Return (declaration, latest, previous) circulated versions as plain dicts.

    "Circulated" is any version past draft (circulated, superseded, adopted), as
    on the focal point's page; the previous one is declaration.selectors'
    previous_circulated. Each dict: number, circulated_on and, per language,
    the numbered paragraphs as the declaration's diff sees them (Para). None
    while the meeting has no circulated version. Four queries.
    """
    from declaration.selectors import (
        latest_circulated,
        previous_circulated,
        version_paragraphs,
    )

    found = latest_circulated(meeting)
    if found is None:
        return None
    declaration, latest = found
    previous = previous_circulated(latest)
    return (
        declaration,
        version_dict(latest, version_paragraphs(latest)),
        version_dict(previous, version_paragraphs(previous)) if previous else None,
    )


def version_dict(version, paragraphs: list) -> dict:
    """Return a version as plain data: its paragraphs in each language (Para)."""
    from declaration.selectors import as_paras

    circulated = version.circulated_at
    paras = {}
    for lang in LANGS:
        with translation.override(lang):  # PP1 / OP1 labels in the language
            for paragraph in paragraphs:
                paragraph.label = paragraph_label(paragraph.kind, paragraph.ordinal)
            paras[lang] = as_paras(paragraphs, lang)
    return {
        "pk": version.pk,
        "number": version.number,
        "status": version.status,
        "circulated_on": circulated.date() if circulated else None,
        "paragraphs": [
            {"number": p.number, "operative": p.kind == "operative"} for p in paragraphs
        ],
        "paras": paras,
    }


def paragraph_label(kind: str, ordinal: int) -> str:
    from declaration.selectors import paragraph_label as label

    return label(kind, ordinal)


def declaration_blocks(found: tuple | None, lang: str) -> tuple[dict, list[dict]]:
    """Return (facts, blocks) for the latest circulated version and its changes.

    The changes are declaration.diff's paragraph-aware diff against the
    previous circulated version, in the pack's language.
    """
    with translation.override(lang):
        if not found:
            return {"version": ""}, [
                {
                    "kind": "p",
                    "muted": True,
                    "text": _("No draft of the declaration has been circulated yet."),
                }
            ]
        declaration, latest, previous = found
        title = localized(declaration, "title", lang)
        facts = {
            "title": title,
            "version": _("Version %(number)s") % {"number": latest["number"]},
            "circulated": fmt_date(latest["circulated_on"], lang)
            if latest.get("circulated_on")
            else "",
        }
        blocks = [
            {
                "kind": "p",
                "key": "declaration-intro",
                "muted": True,
                "text": _("%(title)s, version %(number)s, circulated on %(date)s.")
                % {
                    "title": title,
                    "number": latest["number"],
                    "date": facts["circulated"] or "—",
                },
            }
        ]
        blocks += [
            {
                "kind": "para",
                "key": f"para-{index}",
                "number": f"{p['number']}." if p["number"] else "",
                "operative": p["operative"],
                "text": printable(para.text),
            }
            for index, (p, para) in enumerate(
                zip(latest["paragraphs"], latest["paras"][lang], strict=True)
            )
        ]
        blocks.append(
            {
                "kind": "h2",
                "key": "changes",
                "text": _("Changes since the previous version"),
            }
        )
        if previous is None:
            blocks.append(
                {
                    "kind": "p",
                    "key": "changes-note",
                    "muted": True,
                    "text": _("This is the first circulated version."),
                }
            )
            return facts, blocks
        blocks.append(
            {
                "kind": "p",
                "key": "changes-note",
                "muted": True,
                "text": _("Compared with version %(number)s.")
                % {"number": previous["number"]},
            }
        )
        changes = version_changes(previous, latest, lang)
        blocks += changes or [
            {
                "kind": "p",
                "key": "changes-none",
                "muted": True,
                "text": _("No changes."),
            }
        ]
    return facts, blocks


_changes_cache: dict = {}


def version_changes(previous: dict, latest: dict, lang: str) -> list[dict]:
    """Return the change blocks from previous to latest in lang (active).

    Circulated versions are frozen (the declaration app refuses any change to
    them and their paragraphs), so the diff of two of them is computed once per
    process and language, not once per pack.
    """
    from declaration.selectors import changed_paragraphs

    key = (previous["pk"], latest["pk"], lang)
    if key not in _changes_cache:
        if len(_changes_cache) > 32:
            _changes_cache.clear()
        # One key per paragraph in both languages (its place in the new version,
        # or in the old one when removed): the bilingual edition pairs the
        # English and Russian changes by it, also when only one language changed.
        places = {
            side: {p.label: i for i, p in enumerate(version["paras"][lang])}
            for side, version in (("new", latest), ("old", previous))
        }
        _changes_cache[key] = [
            change_block(entry)
            | {
                "key": f"change-new-{places['new'][entry.new.label]}"
                if entry.new
                else f"change-old-{places['old'][entry.old.label]}"
            }
            for entry in changed_paragraphs(
                previous["paras"][lang], latest["paras"][lang]
            )
        ]
    return _changes_cache[key]


def change_block(entry) -> dict:
    """Return one changed, moved, added or removed paragraph for the templates.

    Called with the pack's language active (the labels are translated).
    """
    labels = {
        "changed": _("changed"),
        "added": _("added"),
        "removed": _("removed"),
    }
    if entry.status == "moved":
        status = _("moved (was %(label)s)") % {"label": entry.old.label}
    else:
        status = labels[entry.status]
    if entry.kind_changed:
        status = f"{status}, {_('preambular/operative changed')}"
    segments = []
    for segment in entry.segments:
        if segments and segments[-1][0] == "delete" and segment.op == "insert":
            # A replaced word: a space between the struck and the new word.
            segments.append(("equal", " "))
        segments.append((segment.op, printable(segment.text)))
    return {
        "kind": "change",
        "change": entry.status,
        "label": (entry.new or entry.old).label,
        "status": status,
        "segments": segments,
    }


def practical_blocks(meeting: Meeting, lang: str) -> list[dict]:
    facts = meeting_facts(meeting, lang)
    with translation.override(lang):
        names = {"en": _("English"), "ru": _("Russian")}
        codes = [code for code in meeting.language_codes if code in names]
        if sorted(codes) == ["en", "ru"]:
            languages = _("English and Russian")
        else:
            languages = ", ".join(str(names[code]) for code in codes)
        rows = [
            (_("Venue"), facts["place"]),
            (_("Date"), facts["dates"]),
            (
                _("Times"),
                _("All times in this pack are local: %(zone)s at the venue.")
                % {"zone": meeting_zone_name(meeting, lang)},
            ),
            (_("Chair"), facts["chair"]),
            (_("Organisers"), facts["organisers"]),
            (_("Funded by"), facts["donors"]),
            (
                _("Interpretation"),
                _("Simultaneous interpretation is provided in %(languages)s.")
                % {"languages": languages},
            ),
            (_("Secretariat email"), meeting.secretariat_email),
            (_("Secretariat phone"), meeting.secretariat_phone),
        ]
        rows = [(k, [printable(v)]) for k, v in rows]
        headings = practical_headings()
        rows += [
            (headings[field], paragraphs(localized(meeting, field, lang)))
            for field in Meeting.PRACTICAL_FIELDS
        ]
    # One block a row: the bilingual edition sets each row beside its twin.
    return [
        {"kind": "dl", "key": f"practical-{index}", "rows": [(term, value)]}
        for index, (term, value) in enumerate(rows)
        if value and any(value)
    ]


def practical_headings() -> dict:
    """Return the practical information's row headings (active language)."""
    return {
        "visa": _("Visa"),
        "arrival": _("Arrival and airport reception"),
        "accreditation": _("Accreditation and badges"),
        "security": _("Security"),
        "dress_code": _("Dress code"),
        "local_transport": _("Local transport"),
        "currency": _("Currency"),
        "climate": _("Climate"),
        "emergency_numbers": _("Emergency numbers"),
    }


@dataclass
class MeetingData:
    """What every pack of a meeting reads, loaded in a fixed number of queries."""

    meeting: Meeting
    delegations: "list[Delegation]"  # delegates prefetched, in order
    sessions: list
    declaration: tuple | None


def load_meeting_data(meeting: Meeting, *, with_travel: bool = False) -> MeetingData:
    """Return the meeting's shared data; with travel, every delegate's trips too.

    Queries: 2 (delegations, delegates) + 3 with travel + the programme's and the
    declaration's own fixed counts.
    """
    return MeetingData(
        meeting=meeting,
        delegations=delegation_selectors.delegations_for_documents(
            meeting, with_travel=with_travel
        ),
        sessions=load_programme(meeting),
        declaration=load_declaration(meeting),
    )


def shared_content(data: MeetingData, lang: str) -> dict:
    """Return the part of every pack that is the same for all delegations."""
    declaration_facts, declaration = declaration_blocks(data.declaration, lang)
    return {
        "lang": lang,
        "meeting": meeting_facts(data.meeting, lang),
        "overview": overview_blocks(data.meeting, lang),
        "programme": programme_blocks(data.sessions, lang),
        "participants": participant_blocks(data.delegations, lang),
        "declaration_facts": declaration_facts,
        "declaration": declaration,
        "practical": practical_blocks(data.meeting, lang),
    }


# The delegation's own part ------------------------------------------------------


def traveller_block(delegate: "Delegate", meeting: Meeting, lang: str) -> dict:
    """Return a delegate's flights (local times), hotel stays and transfers.

    Cancelled flights are not among them (the selectors leave them out).
    """
    tz = meeting.tzinfo
    return {
        "kind": "traveller",
        "key": f"traveller-{delegate.pk}",
        "name": formal_name(delegate, lang),
        "position": delegate.position(lang),
        "flights": [
            {
                "flight": f"{f.carrier} {f.flight_number}",
                "route": f"{airport_place(f.from_airport, lang)} – "
                f"{airport_place(f.to_airport, lang)}",
                "departs": fmt_datetime(f.departs_local, lang),
                "departs_zone": f"{airport_place(f.from_airport, lang)}, "
                f"{utc_offset(f.departs_local)}",
                "arrives": fmt_datetime(f.arrives_local, lang),
                "arrives_zone": f"{airport_place(f.to_airport, lang)}, "
                f"{utc_offset(f.arrives_local)}",
                "booking": f.booking_reference,
            }
            for f in delegate.flights.all()
        ],
        "hotels": [
            {
                "hotel": stay.hotel(lang),
                "dates": f"{fmt_date(stay.check_in, lang)} – "
                f"{fmt_date(stay.check_out, lang)}",
                "confirmation": stay.confirmation_number,
            }
            for stay in delegate.hotel_stays.all()
        ],
        "transfers": [
            {
                "when": fmt_datetime(t.pickup_at.astimezone(tz), lang),
                "route": f"{t.pickup_place(lang)} – {t.destination(lang)}",
            }
            for t in delegate.transfers.all()
        ],
    }


def own_content(delegation: "Delegation", meeting: Meeting, lang: str) -> dict:
    """Return the delegation's own pages: each delegate's itinerary.

    Reads delegation.delegates.all() with flights, hotel stays and transfers
    prefetched (load_meeting_data(with_travel=True) or delegation_with_travel).
    """
    return {
        "lang": lang,
        "delegation": delegation.name(lang),
        "travellers": [
            traveller_block(d, meeting, lang) for d in delegation.delegates.all()
        ],
    }


def delegation_with_travel(delegation_id: int) -> "Delegation":
    """Return one delegation with its delegates' travel prefetched (5 queries)."""
    return delegation_selectors.delegation_with_travel(delegation_id)
