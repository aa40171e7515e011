"""Reads for the travel lists: the arrivals and departures manifest, the rooming
list and the transfer manifest (and the transport officer's page of pickups).

Each is a fixed number of queries however many delegates. Declined
delegations are left out, as in every document.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from delegations.models import (
    AccessLink,
    Delegate,
    Delegation,
    FlightLeg,
    GroundTransfer,
    HotelStay,
)
from delegations.validators import airports
from dialogue.models import Meeting

# What makes a flight another flight for the host's protocol: a new status
# (requested → booked → ticketed) or fare is not a change of schedule.
SCHEDULE_FIELDS = (
    "carrier",
    "flight_number",
    "from_airport",
    "to_airport",
    "departs_at",
    "arrives_at",
)

ARRIVAL, DEPARTURE, CONNECTION = "arrival", "departure", "connection"


def _taking_part(meeting: Meeting | int) -> dict:
    return {"delegation__meeting": meeting} | {
        "delegation__invitation_status__in": [
            Delegation.Invitation.INVITED,
            Delegation.Invitation.CONFIRMED,
        ]
    }


def legs_for_manifest(
    meeting: Meeting, *, delegation_id: int | None = None
) -> list[FlightLeg]:
    """Return every flight leg of the meeting's delegates, cancelled ones too,
    with delegate, delegation, transfers and hotel stays. 4 queries."""
    filters = {
        f"delegate__{key}": value for key, value in _taking_part(meeting).items()
    }
    if delegation_id is not None:
        filters["delegate__delegation_id"] = delegation_id
    return list(
        FlightLeg.objects.filter(**filters)
        .select_related("delegate__delegation")
        .prefetch_related(
            Prefetch(
                "transfers", queryset=GroundTransfer.objects.order_by("pickup_at", "id")
            ),
            Prefetch(
                "delegate__transfers",
                queryset=GroundTransfer.objects.order_by("pickup_at", "id"),
            ),
            Prefetch(
                "delegate__hotel_stays",
                queryset=HotelStay.objects.order_by("check_in", "id"),
            ),
        )
        .order_by("departs_at", "id")
    )


def schedule_changes(meeting: Meeting, legs: list[FlightLeg]) -> dict[int, dict]:
    """Return {leg id: its previous schedule} for the legs whose flight, route
    or times changed since they were first recorded (the leg's history). One
    query."""
    current = {leg.pk: leg for leg in legs}
    history = FlightLeg.history.model.objects.filter(id__in=list(current)).order_by(
        "id", "history_date", "history_id"
    )
    if len(current) > 500:  # one join rather than a long IN list
        history = FlightLeg.history.model.objects.filter(
            delegate__delegation__meeting=meeting
        ).order_by("id", "history_date", "history_id")
    changes: dict[int, dict] = {}
    for record in history.values("id", *SCHEDULE_FIELDS):
        leg = current.get(record["id"])
        if leg is None:
            continue
        if any(getattr(leg, name) != record[name] for name in SCHEDULE_FIELDS):
            # The last schedule that differs from today's is what "was" means.
            changes[leg.pk] = record
    return changes


def movement(leg: FlightLeg, meeting: Meeting) -> tuple[str, str, datetime.datetime]:
    """Return (kind, airport, local moment) under which the manifest lists a leg.

    Once, and only once: an arrival at its airport when it lands in the host
    country (or at the venue's airport), else a departure from its airport when
    it leaves from there, else a connection at the airport it leaves from.
    """
    known = airports()

    def at_host(code: str) -> bool:
        if code == meeting.venue_airport:
            return True
        country = (known.get(code) or {}).get("country", "")
        return bool(meeting.country_code) and country == meeting.country_code

    if at_host(leg.to_airport):
        return ARRIVAL, leg.to_airport, leg.arrives_local
    if at_host(leg.from_airport):
        return DEPARTURE, leg.from_airport, leg.departs_local
    return CONNECTION, leg.from_airport, leg.departs_local


def stays_for_rooming(meeting: Meeting) -> list[HotelStay]:
    """Return the meeting's hotel stays by hotel, guest and check-in. One query."""
    filters = {
        f"delegate__{key}": value for key, value in _taking_part(meeting).items()
    }
    return list(
        HotelStay.objects.filter(**filters)
        .select_related("delegate__delegation")
        .order_by("hotel_en", "check_in", "delegate__name_latin", "id")
    )


def transfers_for_meeting(
    meeting: Meeting, *, day: datetime.date | None = None
) -> QuerySet[GroundTransfer]:
    """Return the meeting's ground transfers in pickup order (of one local day
    of the meeting's clock), with delegate, delegation and flight. One query."""
    filters = {
        f"delegate__{key}": value for key, value in _taking_part(meeting).items()
    }
    transfers = GroundTransfer.objects.filter(**filters)
    if day is not None:
        start = datetime.datetime.combine(day, datetime.time.min, meeting.tzinfo)
        transfers = transfers.filter(
            pickup_at__gte=start, pickup_at__lt=start + datetime.timedelta(days=1)
        )
    return transfers.select_related("delegate__delegation", "flight").order_by(
        "pickup_at", "pickup_place_en", "vehicle", "delegate__sort_order", "id"
    )


@dataclass
class Pickup:
    """One car leaving one place at one time, with everyone it takes."""

    at: datetime.datetime  # on the meeting's clock
    transfers: list[GroundTransfer] = field(default_factory=list)

    @property
    def first(self) -> GroundTransfer:
        return self.transfers[0]

    @property
    def passengers(self) -> list[Delegate]:
        return [t.delegate for t in self.transfers]

    @property
    def flights(self) -> list[FlightLeg]:
        # Passengers on one flight each have their own leg: it is one flight.
        seen = {}
        for transfer in self.transfers:
            leg = transfer.flight
            if leg is not None:
                key = (leg.flight_number, leg.from_airport, leg.departs_at)
                seen.setdefault(key, leg)
        return list(seen.values())


def pickups(transfers) -> list[Pickup]:
    """Return the transfers as pickups: the same time, place, destination and
    car (or no car yet) make one pickup with several passengers."""
    groups: dict[tuple, Pickup] = {}
    for transfer in transfers:
        key = (
            transfer.pickup_at,
            transfer.pickup_place_en,
            transfer.destination_en,
            transfer.vehicle,
            transfer.driver_name,
        )
        group = groups.get(key)
        if group is None:
            group = groups[key] = Pickup(at=transfer.pickup_at)
        group.transfers.append(transfer)
    return sorted(groups.values(), key=lambda p: (p.at, p.first.pk))


def pickup_days(meeting: Meeting) -> list[datetime.date]:
    """Return the local days (meeting's clock) that have a pickup. One query."""
    filters = {
        f"delegate__{key}": value for key, value in _taking_part(meeting).items()
    }
    moments = GroundTransfer.objects.filter(**filters).values_list(
        "pickup_at", flat=True
    )
    return sorted({moment.astimezone(meeting.tzinfo).date() for moment in moments})


def delegations_with_focal_link(meeting: Meeting) -> list[int]:
    """Return the ids of the meeting's delegations whose focal point has a link
    that is neither revoked nor expired. One query."""
    from django.utils import timezone

    return sorted(
        set(
            AccessLink.objects.filter(
                kind=AccessLink.Kind.FOCAL_POINT,
                delegation__meeting=meeting,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).values_list("delegation_id", flat=True)
        )
    )


# A transfer entered without its flight meets a landing within these hours, or
# takes the delegate to a departure within these hours.
MEETS_ARRIVAL = (datetime.timedelta(hours=-1), datetime.timedelta(hours=4))
BEFORE_DEPARTURE = (datetime.timedelta(hours=-8), datetime.timedelta(0))


def transfers_for_leg(leg: FlightLeg, kind: str) -> list[GroundTransfer]:
    """Return the transfers assigned to a leg (legs_for_manifest's prefetch):
    those naming it, else the delegate's transfers naming no flight that meet
    its arrival or reach its departure in time."""
    named = list(leg.transfers.all())
    if named or kind == CONNECTION:
        return named
    moment, (low, high) = (
        (leg.arrives_at, MEETS_ARRIVAL)
        if kind == ARRIVAL
        else (leg.departs_at, BEFORE_DEPARTURE)
    )
    return [
        transfer
        for transfer in leg.delegate.transfers.all()
        if transfer.flight_id is None
        and moment + low <= transfer.pickup_at <= moment + high
    ]
