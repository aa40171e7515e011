"""Reads that follow relations, with a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from delegations.models import (
    AccessLink,
    Accreditation,
    Delegate,
    Delegation,
    FlightLeg,
    GroundTransfer,
    HotelStay,
    Passport,
    SelfServiceChange,
)
from delegations.tokens import digest_matches, token_digest
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


@dataclass
class PageLink:
    """What a link page needs before its cache is read: the link's key, its
    last opening, the language it defaults to, and where it belongs."""

    pk: int
    kind: str
    created_at: datetime.datetime
    last_opened_at: datetime.datetime | None
    language: str
    delegation_id: int
    meeting_id: int


PAGE_LINK_COLUMNS = (
    "pk",
    "kind",
    "created_at",
    "last_opened_at",
    "digest",
    "delegate__preferred_language",
    "delegate__delegation_id",
    "delegate__meeting_id",
    "delegation__language",
    "delegation_id",
    "delegation__meeting_id",
)
# The page_link query compiled once per database vendor: (SQL, where the
# digest goes among its two parameters, the columns' converters, compiler).
_page_link_statement: dict[str, tuple] = {}


def _page_link_compiled() -> tuple:
    found = _page_link_statement.get(connection.vendor)
    if found is None:
        marker = "digest-to-come"
        queryset = (
            AccessLink.objects.filter(
                digest=marker,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by()
            .values_list(*PAGE_LINK_COLUMNS)[:1]
        )
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([col for col, _, _ in compiler.select])
        found = (sql, list(params).index(marker), converters, compiler)
        _page_link_statement[connection.vendor] = found
    return found


def page_link(token: str) -> PageLink | None:
    """Return the link for a token, if neither revoked nor expired, as a page
    reads it first: one query, two primary-key joins, eleven columns.

    The query is the ORM's, compiled once per process: compiling it took a
    millisecond of each request, and active_link's (every field of the
    link's targets) another to plan; a page in the cache costs this alone.
    """
    if not token or len(token) > 64:
        return None
    sql, at, converters, compiler = _page_link_compiled()
    params = [None, None]
    params[at] = token_digest(token)
    params[1 - at] = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    row = next(iter(rows), None)
    if row is None or not digest_matches(token, row[4]):
        return None
    pk, kind, created, opened, _, lang, delegation, meeting = row[:8]
    if kind == AccessLink.Kind.FOCAL_POINT:
        lang, delegation, meeting = row[8:]
    return PageLink(pk, kind, created, opened, lang, delegation, meeting)


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


# A focal point's page shows this many delegates' itineraries at a time: the
# 392-member delegation of the scale bench printed 1.4 MB on one page.
DELEGATES_PER_PAGE = 25


@dataclass(frozen=True)
class DelegatePage:
    """One page of the delegates a link shows (a delegate's link: one page)."""

    delegates: list[Delegate]
    number: int
    pages: int
    count: int
    first: int  # the 1-based position of its first delegate (0 when empty)

    @property
    def last(self) -> int:
        return self.first + len(self.delegates) - 1 if self.delegates else 0

    @property
    def paged(self) -> bool:
        return self.pages > 1

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    @property
    def numbers(self) -> list[int | None]:
        """The page numbers to link: the first, the last and the two either
        side of this one, with None where others are left out."""
        shown = {1, self.pages, *range(self.number - 2, self.number + 3)}
        out: list[int | None] = []
        for number in range(1, self.pages + 1):
            if number in shown:
                out.append(number)
            elif out and out[-1] is not None:
                out.append(None)
        return out


def page_number(value) -> int:
    """Return the page asked for in a query string; 1 for anything else."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def delegate_page_for_link(
    link: AccessLink, *, page: int = 1, cancelled_flights: bool
) -> DelegatePage:
    """Return the page of the link's delegates, with their travel.

    A delegate's link shows its delegate; a focal point's shows its delegation
    DELEGATES_PER_PAGE at a time, in the delegation's order. A page past the
    last is the last. Five queries (the count and delegates_with_travel).
    """
    if link.kind == AccessLink.Kind.DELEGATE:
        delegates = delegates_for_link(link, cancelled_flights=cancelled_flights)
        return DelegatePage(delegates, 1, 1, len(delegates), 1 if delegates else 0)
    queryset = Delegate.objects.filter(delegation_id=link.delegation_id).order_by(
        "sort_order", "id"
    )
    count = queryset.count()
    pages = max(1, -(-count // DELEGATES_PER_PAGE))
    number = min(page, pages)
    start = (number - 1) * DELEGATES_PER_PAGE
    delegates = delegates_with_travel(
        queryset[start : start + DELEGATES_PER_PAGE],
        cancelled_flights=cancelled_flights,
    )
    return DelegatePage(delegates, number, pages, count, start + 1 if count else 0)


def delegate_page_number(delegate: Delegate) -> int:
    """Return the page of its delegation's focal-point page the delegate is on
    (delegate_page_for_link's order). One query."""
    before = Delegate.objects.filter(delegation_id=delegate.delegation_id).filter(
        Q(sort_order__lt=delegate.sort_order)
        | Q(sort_order=delegate.sort_order, id__lt=delegate.pk)
    )
    return before.count() // DELEGATES_PER_PAGE + 1


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
    # Accreditation, shown beside readiness (not a condition of it: a
    # delegation is accredited as its credentials arrive, often on the eve).
    delegate_count: int = 0
    accredited_count: int = 0
    badge_printed_count: int = 0
    checked_in_count: int = 0

    @property
    def all_accredited(self) -> bool:
        return self.delegate_count > 0 and self.accredited_count == self.delegate_count

    @property
    def ready(self) -> bool:
        return not self.missing


READINESS_COUNTS = (
    "delegate_count",
    "funded_with_ticket",
    "funded_with_open_leg",
    "delegates_with_hotel",
    "delegates_with_sent_link",
    "accredited_count",
    "badge_printed_count",
    "checked_in_count",
)


NOMINATED, BADGE_PRINTED, CHECKED_IN = (
    Accreditation.NOMINATED,
    Accreditation.BADGE_PRINTED,
    Accreditation.CHECKED_IN,
)


def readiness_counts(meeting: Meeting) -> dict[int, dict[str, int]]:
    """Return per delegation id the counts of its delegates the board reads.

    One query, grouped by delegation over the meeting's delegates, each count
    a semi-join (EXISTS): joining every flight, stay and link of 20,000
    delegates at once and counting DISTINCT took half a second.
    """
    funded = Q(funded=True)
    legs = FlightLeg.objects.filter(delegate=OuterRef("pk"))
    rows = (
        Delegate.objects.filter(meeting=meeting)
        .order_by()
        .values("delegation_id")
        .annotate(
            delegate_count=Count("pk"),
            funded_with_ticket=Count(
                "pk",
                filter=funded & Exists(legs.filter(status=FlightLeg.Status.TICKETED)),
            ),
            funded_with_open_leg=Count(
                "pk",
                filter=funded
                & Exists(
                    legs.filter(
                        status__in=[FlightLeg.Status.REQUESTED, FlightLeg.Status.BOOKED]
                    )
                ),
            ),
            delegates_with_hotel=Count(
                "pk",
                filter=Exists(HotelStay.objects.filter(delegate=OuterRef("pk"))),
            ),
            delegates_with_sent_link=Count(
                "pk",
                filter=Exists(
                    AccessLink.objects.filter(
                        delegate=OuterRef("pk"),
                        revoked_at__isnull=True,
                        sent_at__isnull=False,
                    )
                ),
            ),
            # Accreditation runs forward: each status counts those past it too.
            accredited_count=Count("pk", filter=~Q(accreditation=NOMINATED)),
            badge_printed_count=Count(
                "pk", filter=Q(accreditation__in=[BADGE_PRINTED, CHECKED_IN])
            ),
            checked_in_count=Count("pk", filter=Q(accreditation=CHECKED_IN)),
        )
    )
    return {row.pop("delegation_id"): row for row in rows}


def readiness(meeting: Meeting) -> list[ReadinessRow]:
    """Return one row per delegation saying what is missing before the meeting.

    Two queries, however many delegations, delegates, legs or links.
    """
    counts = readiness_counts(meeting)
    delegations = (
        Delegation.objects.filter(meeting=meeting)
        .annotate(
            focal_link_sent=Exists(
                AccessLink.objects.filter(
                    delegation=OuterRef("pk"),
                    revoked_at__isnull=True,
                    sent_at__isnull=False,
                )
            )
        )
        .order_by("sort_order", "name_en")
    )
    empty = dict.fromkeys(READINESS_COUNTS, 0)
    rows = []
    for d in delegations:  # d.funded_count: kept by the database (0007)
        for name, value in counts.get(d.pk, empty).items():
            setattr(d, name, value)
        confirmed = d.invitation_status == Delegation.Invitation.CONFIRMED
        named = d.funded_count >= d.funded_quota
        tickets = d.funded_with_ticket == d.funded_count and not d.funded_with_open_leg
        hotel = d.delegate_count > 0 and d.delegates_with_hotel == d.delegate_count
        if d.is_host:  # the host's delegates are at home: no tickets or hotel
            tickets = hotel = True
        links = (
            d.delegate_count > 0
            and d.delegates_with_sent_link == d.delegate_count
            and d.focal_link_sent
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
                delegate_count=d.delegate_count,
                accredited_count=d.accredited_count,
                badge_printed_count=d.badge_printed_count,
                checked_in_count=d.checked_in_count,
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
