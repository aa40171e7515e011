"""The content of the travel lists, in one language each.

* the arrivals and departures manifest for the host's protocol: per day and
  airport, in local time order, every leg once (delegations.lists.movement),
  heads of delegation marked "VIP" in words, cancelled and changed flights
  said in words too;
* the rooming list, per hotel: guests in Latin script as their passports read;
* the transfer manifest, per day of the meeting's clock: one row per pickup
  (one car, one time, one place) with its passengers.

A list is a dict of plain values (JSON-able: its fingerprint is their hash):
a title, the columns, and groups of rows. The PDF template and the XLSX writer
(sheets.py) both lay out the same dict; "values" are what a spreadsheet cell
holds (dates as dates, nights as a number), "cells" what the PDF prints.
"""

import datetime
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from delegations.selectors import (
    ARRIVAL,
    CONNECTION,
    DEPARTURE,
    legs_for_manifest,
    movement,
    pickups,
    schedule_changes,
    stays_for_rooming,
    transfers_for_leg,
    transfers_for_meeting,
)
from dialogue.documents import airport_place
from dialogue.i18n import localized
from dialogue.models import Meeting
from dialogue.packs.content import fmt_date
from dialogue.timefmt import zone_name

if TYPE_CHECKING:  # for annotations only: data comes through the selectors
    from delegations.models import Delegate, FlightLeg

HEAD = "head"  # HEAD
CANCELLED = "cancelled"  # CANCELLED


def _header(meeting: Meeting, title: str, lang: str, delegation=None) -> dict:
    short = localized(meeting, "short_title", lang)
    return {
        "lang": lang,
        "title": title,
        "meeting": short,
        "delegation": delegation.name(lang) if delegation is not None else "",
        "doc_title": f"{title}: {delegation.name(lang)}"
        if delegation is not None
        else f"{title}: {short}",
        "running": f"{short} · {title}",
    }


# The manifest ------------------------------------------------------------------


def _movement_label(kind: str) -> str:
    return {
        ARRIVAL: pgettext("manifest", "Arrival"),
        DEPARTURE: pgettext("manifest", "Departure"),
        CONNECTION: pgettext("manifest", "Connection"),
    }[kind]


def _stay_for(leg: "FlightLeg", day: datetime.date, lang: str) -> str:
    stays = list(leg.delegate.hotel_stays.all())
    for stay in stays:
        if stay.check_in <= day <= stay.check_out:
            return stay.hotel(lang)
    return stays[0].hotel(lang) if stays else ""


def _transfer_text(leg: "FlightLeg", kind: str, meeting: Meeting, lang: str) -> str:
    parts = []
    for transfer in transfers_for_leg(leg, kind):
        local = transfer.pickup_at.astimezone(meeting.tzinfo)
        text = f"{local:%H:%M} {transfer.pickup_place(lang)}"
        car = ", ".join(p for p in (transfer.vehicle, transfer.driver_name) if p)
        parts.append(f"{text} ({car})" if car else text)
    return "; ".join(parts)


def _status(leg: "FlightLeg", previous: dict | None, kind: str) -> tuple[str, str]:
    if leg.status == CANCELLED:
        return "cancelled", pgettext("flight", "Cancelled")
    if previous is None:
        return "", ""
    zone = leg.arrival_zone if kind == ARRIVAL else leg.departure_zone
    moment = previous["arrives_at"] if kind == ARRIVAL else previous["departs_at"]
    return "changed", _("Changed: was %(flight)s, %(date)s %(time)s") % {
        "flight": previous["flight_number"],
        "date": f"{moment.astimezone(zone):%d.%m}",
        "time": f"{moment.astimezone(zone):%H:%M}",
    }


def manifest_content(
    meeting: Meeting, lang: str, *, delegation_id: int | None = None
) -> dict:
    """Return the arrivals and departures manifest in lang (of one delegation,
    or of the whole meeting). A fixed number of queries."""
    legs = legs_for_manifest(meeting, delegation_id=delegation_id)
    changes = schedule_changes(meeting, legs)
    delegation = legs[0].delegate.delegation if legs and delegation_id else None
    if delegation_id and delegation is None:
        from delegations.selectors import delegation_with_travel

        delegation = delegation_with_travel(delegation_id)
    groups: dict[tuple, list] = {}
    with translation.override(lang):
        for leg in legs:
            kind, airport, local = movement(leg, meeting)
            other = leg.from_airport if kind == ARRIVAL else leg.to_airport
            status, status_text = _status(leg, changes.get(leg.pk), kind)
            delegate = leg.delegate
            head = delegate.role == HEAD
            row = {
                "leg": leg.pk,
                "at": local.isoformat(),
                "head": head,
                "status": status,
                "cells": [
                    f"{local:%H:%M}",
                    _movement_label(kind),
                    f"{leg.flight_number} ({leg.carrier})",
                    airport_place(other, lang),
                    delegate.formal_name(lang),
                    delegate.delegation.name(lang),
                    delegate.position(lang),
                    _("VIP") if head else "",
                    _transfer_text(leg, kind, meeting, lang),
                    _stay_for(leg, local.date(), lang),
                    status_text,
                ],
            }
            groups.setdefault((local.date(), airport), []).append((local, leg.pk, row))
        venue_first = sorted(
            groups, key=lambda k: (k[0], k[1] != meeting.venue_airport, k[1])
        )
        content = _header(
            meeting,
            _("Arrivals and departures manifest"),
            lang,
            delegation,
        )
        content.update(
            {
                "kind": "manifest",
                "note": _(
                    "Times are local at each airport. VIP: head of delegation, "
                    "to be met by the host's protocol."
                ),
                "columns": [
                    _("Local time"),
                    _("Movement"),
                    _("Flight"),
                    _("From / to"),
                    _("Delegate"),
                    _("Delegation"),
                    _("Function"),
                    _("VIP"),
                    _("Transfer"),
                    _("Hotel"),
                    _("Status"),
                ],
                "key_columns": [_("Date"), _("Airport")],
                "groups": [
                    {
                        "heading": f"{fmt_date(day, lang)} · "
                        f"{airport_place(airport, lang)}",
                        "subheading": zone_name(
                            rows[0][0].tzinfo, rows[0][0], lang=lang
                        ),
                        "keys": [day.isoformat(), airport],
                        "rows": [row for _l, _p, row in sorted(rows, key=_order)],
                    }
                    for (day, airport), rows in ((k, groups[k]) for k in venue_first)
                ],
            }
        )
    return content


def _order(item):
    local, pk, _row = item
    return (local, pk)


# The rooming list -------------------------------------------------------------


def needs_text(delegate: "Delegate", lang: str) -> str:
    with translation.override(lang):
        parts = []
        if delegate.accessibility_needs:
            parts.append(
                _("Accessibility: %(needs)s") % {"needs": delegate.accessibility_needs}
            )
        if delegate.dietary_needs:
            parts.append(_("Diet: %(needs)s") % {"needs": delegate.dietary_needs})
        return "; ".join(parts)


def rooming_content(meeting: Meeting, lang: str) -> dict:
    """Return the rooming list in lang, one group per hotel. One query."""
    groups: dict[str, dict] = {}
    with translation.override(lang):
        for stay in stays_for_rooming(meeting):
            group = groups.setdefault(
                stay.hotel_en,
                {"heading": stay.hotel(lang), "keys": [stay.hotel_en], "rows": []},
            )
            nights = (stay.check_out - stay.check_in).days
            delegate = stay.delegate
            needs = needs_text(delegate, lang)
            group["rows"].append(
                {
                    "stay": stay.pk,
                    "head": False,
                    "status": "",
                    "cells": [
                        delegate.name_latin,
                        delegate.delegation.name(lang),
                        fmt_date(stay.check_in, lang),
                        fmt_date(stay.check_out, lang),
                        str(nights),
                        stay.confirmation_number,
                        needs,
                    ],
                    "values": [
                        delegate.name_latin,
                        delegate.delegation.name(lang),
                        stay.check_in,
                        stay.check_out,
                        nights,
                        stay.confirmation_number,
                        needs,
                    ],
                }
            )
        for group in groups.values():
            group["subheading"] = _("Guests: %(count)s. Nights: %(nights)s.") % {
                "count": len(group["rows"]),
                "nights": sum(row["values"][4] for row in group["rows"]),
            }
        content = _header(meeting, _("Rooming list"), lang)
        content.update(
            {
                "kind": "rooming",
                "note": _("Guests' names in Latin script, as their passports read."),
                "columns": [
                    _("Guest"),
                    _("Delegation"),
                    _("Check-in"),
                    _("Check-out"),
                    _("Nights"),
                    _("Confirmation number"),
                    _("Needs"),
                ],
                "key_columns": [_("Hotel")],
                "groups": list(groups.values()),
            }
        )
    return content


# The transfer manifest --------------------------------------------------------


def pickup_rows(meeting: Meeting, pickups_list, lang: str) -> list[dict]:
    """Return one row per pickup: time, place, passengers, flights, destination,
    vehicle and driver (in lang)."""
    rows = []
    with translation.override(lang):
        for pickup in pickups_list:
            first = pickup.first
            local = pickup.at.astimezone(meeting.tzinfo)
            flights = []
            for leg in pickup.flights:
                if leg.to_airport == meeting.venue_airport:
                    flights.append(
                        _("%(flight)s arrives %(time)s")
                        % {
                            "flight": leg.flight_number,
                            "time": f"{leg.arrives_local:%H:%M}",
                        }
                    )
                else:
                    flights.append(
                        _("%(flight)s departs %(time)s")
                        % {
                            "flight": leg.flight_number,
                            "time": f"{leg.departs_local:%H:%M}",
                        }
                    )
            driver = ", ".join(
                p for p in (first.driver_name, first.driver_phone_display) if p
            )
            rows.append(
                {
                    "transfers": [t.pk for t in pickup.transfers],
                    "at": local.isoformat(),
                    "head": any(d.role == HEAD for d in pickup.passengers),
                    "status": "",
                    "passengers": [
                        f"{d.formal_name(lang)} ({d.delegation.name(lang)})"
                        for d in pickup.passengers
                    ],
                    "cells": [
                        f"{local:%H:%M}",
                        first.pickup_place(lang),
                        "; ".join(
                            f"{d.formal_name(lang)} ({d.delegation.name(lang)})"
                            for d in pickup.passengers
                        ),
                        "; ".join(flights),
                        first.destination(lang),
                        first.vehicle,
                        driver,
                    ],
                }
            )
    return rows


def transfers_content(meeting: Meeting, lang: str) -> dict:
    """Return the transfer manifest in lang, one group per local day. One query."""
    days: dict[datetime.date, list] = {}
    for transfer in transfers_for_meeting(meeting):
        day = transfer.pickup_at.astimezone(meeting.tzinfo).date()
        days.setdefault(day, []).append(transfer)
    with translation.override(lang):
        content = _header(meeting, _("Transfer manifest"), lang)
        content.update(
            {
                "kind": "transfers",
                "note": _("Pickup times on the meeting's clock: %(zone)s.")
                % {
                    "zone": zone_name(
                        meeting.tzinfo,
                        datetime.datetime.combine(
                            meeting.start_date, datetime.time(12), meeting.tzinfo
                        ),
                        city=meeting.city_en,
                        lang=lang,
                    )
                },
                "columns": [
                    _("Pickup"),
                    _("Place"),
                    _("Passengers"),
                    _("Flight"),
                    _("Destination"),
                    _("Vehicle"),
                    _("Driver"),
                ],
                "key_columns": [_("Date")],
                "groups": [
                    {
                        "heading": fmt_date(day, lang),
                        "subheading": "",
                        "keys": [day.isoformat()],
                        "rows": pickup_rows(meeting, pickups(transfers), lang),
                    }
                    for day, transfers in sorted(days.items())
                ],
            }
        )
    return content


def list_content(pack) -> dict:
    """Return the content of a travel-list pack (its kind, language, target)."""
    if pack.kind == "manifest":
        return manifest_content(
            pack.meeting, pack.language, delegation_id=pack.delegation_id
        )
    if pack.kind == "rooming":
        return rooming_content(pack.meeting, pack.language)
    return transfers_content(pack.meeting, pack.language)
