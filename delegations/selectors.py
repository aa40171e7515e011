"""Reads that follow relations, with a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from delegations.models import (
    AccessLink,
    Delegate,
    Delegation,
    FlightLeg,
    GroundTransfer,
    HotelStay,
    Passport,
    SelfServiceChange,
)
from delegations.tokens import digest_matches, token_digest
from dialogue.i18n import normalise_language
from dialogue.models import Meeting
from dialogue.timefmt import format_date

ACTIVE_FLIGHT = ~Q(status=FlightLeg.Status.CANCELLED)


def active_link(token: str) -> AccessLink | None:
    """Return the link for a token if it is neither revoked nor expired."""
    if not token or len(token) > 64:
        return None
    link = (
        AccessLink.objects.select_related(
            "delegate__delegation__meeting", "delegation__meeting"
        )
        .filter(
            digest=token_digest(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if link is None or not digest_matches(token, link.digest):
        return None
    link._token = token  # the URL's token: no need to unseal it again
    return link


def prefetch_travel(
    queryset: QuerySet[Delegate], *, cancelled_flights: bool
) -> QuerySet[Delegate]:
    """Return the delegates with their flights, hotel stays and transfers
    prefetched, each in the order of the trip (three queries, however many).

    Every reader of a delegate's travel goes through here and says whether
    cancelled legs are among its flights:

    - the participant page keeps them, greyed out with a "cancelled" badge
      (delegations/itinerary.html), so that a delegate sees that a flight they
      were booked on is off; its trip warnings skip them (travel_warnings);
    - the calendar (.ics), the admin's trip check, the briefing packs'
      itineraries and the visa letter leave them out: an event, a warning, a
      printed itinerary or a consulate's letter about a flight nobody takes
      would mislead.
    """
    flights = FlightLeg.objects.order_by("departs_at", "id")
    if not cancelled_flights:
        flights = flights.filter(ACTIVE_FLIGHT)
    return queryset.prefetch_related(
        Prefetch("flights", queryset=flights),
        Prefetch("hotel_stays", queryset=HotelStay.objects.order_by("check_in", "id")),
        Prefetch(
            "transfers", queryset=GroundTransfer.objects.order_by("pickup_at", "id")
        ),
    )


def delegates_with_travel(
    queryset: QuerySet[Delegate], *, cancelled_flights: bool
) -> list[Delegate]:
    """Return delegates with their meeting and travel (see prefetch_travel).

    Four queries however many delegates or legs.
    """
    return list(
        prefetch_travel(
            queryset.select_related("delegation__meeting"),
            cancelled_flights=cancelled_flights,
        )
    )


def delegates_for_link(link: AccessLink, *, cancelled_flights: bool) -> list[Delegate]:
    """Return the delegates a link shows: one, or the whole delegation."""
    if link.kind == AccessLink.Kind.DELEGATE:
        queryset = Delegate.objects.filter(pk=link.delegate_id)
    else:
        queryset = Delegate.objects.filter(delegation_id=link.delegation_id)
    return delegates_with_travel(
        queryset.order_by("sort_order", "id"), cancelled_flights=cancelled_flights
    )


def link_meeting(link: AccessLink) -> Meeting:
    if link.kind == AccessLink.Kind.DELEGATE:
        return link.delegate.delegation.meeting
    return link.delegation.meeting


def link_delegation(link: AccessLink) -> Delegation:
    if link.kind == AccessLink.Kind.DELEGATE:
        return link.delegate.delegation
    return link.delegation


def meeting_window(meeting: Meeting) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the meeting's first morning and last evening as aware datetimes."""
    tz = meeting.tzinfo
    start = datetime.datetime.combine(meeting.start_date, datetime.time(9, 0), tz)
    end = datetime.datetime.combine(meeting.end_date, datetime.time(18, 0), tz)
    return start, end


def travel_warnings(delegate: Delegate, meeting: Meeting) -> list[str]:
    """Return warnings about a funded delegate's trip; never blocks a save.

    Reads delegate.flights.all(), so prefetched flights cost no query; a
    cancelled leg, if prefetched (the participant page), does not count.
    """
    if not delegate.funded or delegate.delegation.is_host:
        return []  # the host's delegates do not travel
    venue = meeting.venue_airport
    flights = [
        f for f in delegate.flights.all() if f.status != FlightLeg.Status.CANCELLED
    ]
    start, end = meeting_window(meeting)
    warnings = []
    arrivals = [f for f in flights if f.to_airport == venue]
    departures = [f for f in flights if f.from_airport == venue]
    if not arrivals:
        warnings.append(_("No flight reaches %(airport)s.") % {"airport": venue})
    elif min(f.arrives_at for f in arrivals) > start:
        warnings.append(
            _("The trip reaches %(airport)s only after the meeting starts.")
            % {"airport": venue}
        )
    if not departures:
        warnings.append(_("No flight leaves %(airport)s.") % {"airport": venue})
    elif max(f.departs_at for f in departures) < end:
        warnings.append(
            _("The trip leaves %(airport)s before the meeting ends.")
            % {"airport": venue}
        )
    return warnings


@dataclass
class ReadinessRow:
    delegation: Delegation
    confirmed: bool
    funded_count: int
    funded_quota: int
    funded_named: bool
    tickets_issued: bool
    hotel_booked: bool
    links_sent: bool
    missing: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.missing


def readiness(meeting: Meeting) -> list[ReadinessRow]:
    """Return one row per delegation saying what is missing before the meeting."""
    funded = Q(delegates__funded=True)
    delegations = (
        Delegation.objects.filter(meeting=meeting)
        .annotate(
            delegate_count=Count("delegates", distinct=True),
            funded_with_ticket=Count(
                "delegates",
                filter=funded & Q(delegates__flights__status=FlightLeg.Status.TICKETED),
                distinct=True,
            ),
            funded_with_open_leg=Count(
                "delegates",
                filter=funded
                & Q(
                    delegates__flights__status__in=[
                        FlightLeg.Status.REQUESTED,
                        FlightLeg.Status.BOOKED,
                    ]
                ),
                distinct=True,
            ),
            delegates_with_hotel=Count(
                "delegates",
                filter=Q(delegates__hotel_stays__isnull=False),
                distinct=True,
            ),
            delegates_with_sent_link=Count(
                "delegates",
                filter=Q(
                    delegates__links__revoked_at__isnull=True,
                    delegates__links__sent_at__isnull=False,
                ),
                distinct=True,
            ),
            focal_link_sent=Count(
                "links",
                filter=Q(links__revoked_at__isnull=True, links__sent_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("sort_order", "name_en")
    )
    rows = []
    for d in delegations:  # d.funded_count: kept by the database (0007)
        confirmed = d.invitation_status == Delegation.Invitation.CONFIRMED
        named = d.funded_count >= d.funded_quota
        tickets = d.funded_with_ticket == d.funded_count and not d.funded_with_open_leg
        hotel = d.delegate_count > 0 and d.delegates_with_hotel == d.delegate_count
        if d.is_host:  # the host's delegates are at home: no tickets or hotel
            tickets = hotel = True
        links = (
            d.delegate_count > 0
            and d.delegates_with_sent_link == d.delegate_count
            and d.focal_link_sent > 0
        )
        missing = []
        if not confirmed:
            missing.append(_("participation not confirmed"))
        if not named:
            missing.append(
                _("%(count)s of %(quota)s funded delegates named")
                % {"count": d.funded_count, "quota": d.funded_quota}
            )
        if not tickets:
            missing.append(_("tickets not all issued"))
        if not hotel:
            missing.append(_("hotel not booked for everyone"))
        if not links:
            missing.append(_("links not all sent"))
        rows.append(
            ReadinessRow(
                delegation=d,
                confirmed=confirmed,
                funded_count=d.funded_count,
                funded_quota=d.funded_quota,
                funded_named=named,
                tickets_issued=tickets,
                hotel_booked=hotel,
                links_sent=links,
                missing=missing,
            )
        )
    return rows


PASSPORT_PERMISSION = "delegations.view_passport_details"


def self_service_changes_visible_to(user) -> QuerySet[SelfServiceChange]:
    """Return the change log; passport rows only for staff allowed passports."""
    queryset = SelfServiceChange.objects.all()
    if not user.has_perm(PASSPORT_PERMISSION):
        queryset = queryset.exclude(field__startswith="passport.")
    return queryset


PASSPORT_MASK = "••••••"


@dataclass(frozen=True)
class ChangeRow:
    """A self-service change as one reader may see it."""

    change: SelfServiceChange
    old_value: str
    new_value: str
    masked: bool
    changed_by: str = ""


# Kept as ISO dates in the record; shown by the one date rule.
DATE_FIELDS = {"passport.date_of_birth", "passport.issued_on", "passport.expires_on"}
# Who changed it, as update_own_details records it (in English, see the view).
BY_DELEGATE = "the delegate"
BY_FOCAL_POINT = "focal point of "


def shown_value(field: str, value: str) -> str:
    """Return a recorded value as people read it: dates as "4 March 1970"."""
    if field in DATE_FIELDS and value:
        try:
            return format_date(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def who_changed(change: SelfServiceChange) -> str:
    """Return who made the change, in the reader's language."""
    if change.changed_by == BY_DELEGATE:
        return _("the delegate")
    if change.changed_by.startswith(BY_FOCAL_POINT):
        return _("focal point of %(delegation)s") % {
            "delegation": change.delegate.delegation
        }
    return change.changed_by


def recent_self_service_changes(
    meeting: Meeting, *, user, limit: int = 20
) -> list[ChangeRow]:
    """Return the meeting's latest self-service changes, newest first.

    Passport changes are listed for everyone who sees the board, but their
    values (number, dates, nationality) only for staff with the passport
    permission; everyone else reads a mask of fixed length. One query.
    """
    allowed = user.has_perm(PASSPORT_PERMISSION)
    rows = []
    changes = (
        SelfServiceChange.objects.filter(delegate__meeting=meeting)
        .select_related("delegate__delegation")
        .order_by("-changed_at", "-id")[:limit]
    )
    for change in changes:
        masked = change.field.startswith("passport.") and not allowed
        rows.append(
            ChangeRow(
                change,
                (PASSPORT_MASK if change.old_value else "")
                if masked
                else shown_value(change.field, change.old_value),
                (PASSPORT_MASK if change.new_value else "")
                if masked
                else shown_value(change.field, change.new_value),
                masked,
                who_changed(change),
            )
        )
    return rows


@dataclass
class BudgetLine:
    delegation: str
    currency: str
    estimated: Decimal
    committed: Decimal
    legs: int

    @property
    def total(self) -> Decimal:
        return self.estimated + self.committed


ESTIMATED = (FlightLeg.Status.REQUESTED, FlightLeg.Status.BOOKED)


def budget(meeting: Meeting) -> tuple[list[BudgetLine], list[BudgetLine]]:
    """Return funded travel cost per delegation and currency, and totals per currency.

    Estimated is requested or booked fares; committed is ticketed fares;
    cancelled legs count for nothing. One query.
    """
    legs = (
        FlightLeg.objects.filter(delegate__meeting=meeting, delegate__funded=True)
        .exclude(status=FlightLeg.Status.CANCELLED)
        .values_list(
            "delegate__delegation__name_en",
            "delegate__delegation__name_ru",
            "delegate__delegation__sort_order",
            "currency",
            "status",
            "fare",
        )
    )
    # Delegations are named in the reader's language (the board, the export).
    russian = normalise_language(None) == "ru"
    per_delegation: dict = defaultdict(lambda: [Decimal(0), Decimal(0), 0, 0])
    for name_en, name_ru, order, currency, status, fare in legs:
        name = (name_ru or name_en) if russian else name_en
        line = per_delegation[(order, name, currency)]

        amount = fare or Decimal(0)
        line[0 if status in ESTIMATED else 1] += amount
        line[2] += 1
    lines = [
        BudgetLine(name, currency, est, com, count)
        for (_order, name, currency), (est, com, count, _) in sorted(
            per_delegation.items()
        )
    ]
    totals: dict = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for line in lines:
        total = totals[line.currency]
        total[0] += line.estimated
        total[1] += line.committed
        total[2] += line.legs
    total_lines = [
        BudgetLine(_("Total"), currency, est, com, count)
        for currency, (est, com, count) in sorted(totals.items())
    ]
    return lines, total_lines


# Reads for the packs (dialogue/packs reads delegations only through these).


def delegations_for_documents(
    meeting: Meeting | int, *, with_travel: bool
) -> list[Delegation]:
    """Return the meeting's delegations that take part (not declined), in order,
    with their delegates prefetched; with travel, every delegate's trips too
    (cancelled flights left out). 2 queries, +3 with travel."""
    delegates = Delegate.objects.order_by("sort_order", "id")
    if with_travel:
        delegates = prefetch_travel(delegates, cancelled_flights=False)
    return list(
        Delegation.objects.filter(meeting=meeting)
        .exclude(invitation_status=Delegation.Invitation.DECLINED)
        .order_by("sort_order", "name_en", "id")
        .prefetch_related(Prefetch("delegates", queryset=delegates))
    )


def delegation_with_travel(delegation_id: int) -> Delegation:
    """Return one delegation with its delegates' travel prefetched (cancelled
    flights left out). 5 queries."""
    delegates = prefetch_travel(
        Delegate.objects.order_by("sort_order", "id"), cancelled_flights=False
    )
    return (
        Delegation.objects.select_related("meeting")
        .prefetch_related(Prefetch("delegates", queryset=delegates))
        .get(pk=delegation_id)
    )


def delegate_for_letter(delegate_id: int) -> Delegate:
    """Return a delegate with meeting, passport and travel (no cancelled flights)."""
    return prefetch_travel(
        Delegate.objects.select_related("delegation__meeting", "passport"),
        cancelled_flights=False,
    ).get(pk=delegate_id)


def delegate_with_delegation(delegate_id: int | None) -> Delegate | None:
    """Return a delegate and its delegation, or None. One query."""
    if delegate_id is None:
        return None
    return Delegate.objects.select_related("delegation").filter(pk=delegate_id).first()


def has_passport(delegate: Delegate) -> bool:
    """Return whether the delegate's passport details are on file. One query."""
    return Passport.objects.filter(delegate=delegate).exists()


def funded_delegates(meeting: Meeting | None) -> QuerySet[Delegate]:
    """Return the meeting's funded delegates with delegation and passport, in order."""
    if meeting is None:
        return Delegate.objects.none()
    return (
        Delegate.objects.filter(delegation__meeting=meeting, funded=True)
        .select_related("delegation", "passport")
        .order_by("delegation__sort_order", "sort_order", "id")
    )


# The travel lists' reads (delegations/lists.py), for the packs that make them.
from delegations.lists import (  # noqa: E402
    ARRIVAL,
    CONNECTION,
    DEPARTURE,
    delegations_with_focal_link,
    legs_for_manifest,
    movement,
    pickups,
    schedule_changes,
    stays_for_rooming,
    transfers_for_leg,
    transfers_for_meeting,
)

__all__ = [
    "ARRIVAL",
    "CONNECTION",
    "DEPARTURE",
    "delegations_with_focal_link",
    "legs_for_manifest",
    "movement",
    "pickups",
    "schedule_changes",
    "stays_for_rooming",
    "transfers_for_leg",
    "transfers_for_meeting",
]
