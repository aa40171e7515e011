"""Travel requests: a focal point asks, the travel desk books.

For a funded delegate the focal point gives the city of departure and the
preferred dates; that is a TravelRequest in the travel desk's queue. Booking
it enters the flights through delegations.services.save_flight_leg (so every
flight rule stays there), each in status "requested"; declining it keeps the
reason. A delegate (for their own flights) or the focal point (for any of the
delegation's) may ask for a change to a booked flight: a FlightChangeRequest,
which the travel desk accepts (the flight goes back to "requested" for it to
edit) or declines with a reason. Each decision is emailed to the delegation's
focal point in the delegation's language (the outbox, after commit).
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accreditation.models import FlightChangeRequest, TravelRequest
from accreditation.services.decision_emails import (
    compose_for_focal_point,
    queue_for_focal_point,
)
from delegations.models import AccessLink, Delegate, Delegation, FlightLeg
from delegations.services import save_flight_leg
from delegations.validators import airports

TRAVEL_EMAIL = "travel_request_decision"
CHANGE_EMAIL = "flight_change_decision"
# Preferred dates may be this far before the first day or after the last.
TRAVEL_WINDOW = datetime.timedelta(days=14)
CHANGEABLE = (FlightLeg.Status.BOOKED, FlightLeg.Status.TICKETED)


def _lock(delegation_id: int) -> Delegation:
    return Delegation.objects.select_for_update().get(pk=delegation_id)


# The city of departure ------------------------------------------------------------


def _city_index() -> dict[str, list[str]]:
    """Return lower-cased city names (English, and Russian where known) to
    the IATA codes of their airports."""
    from dialogue.documents import CITIES_RU

    russian = {}
    for en, ru in CITIES_RU.items():
        russian.setdefault(en.casefold(), []).append(ru.casefold())
    index: dict[str, list[str]] = {}
    for code, airport in airports().items():
        city = (airport.get("city") or "").split(",")[-1].strip().casefold()
        if not city:
            continue
        for name in (city, *russian.get(city, [])):
            index.setdefault(name, []).append(code)
    return index


_INDEX: dict[str, list[str]] | None = None


def resolve_departure(text: str) -> str:
    """Return the IATA code of the airport the focal point means: a known code
    ("TAS"), or a city served by one airport ("Tashkent", "Ташкент").

    Raises ValidationError on "departure" naming the airports to choose from
    when a city has several, or saying the city is not known.
    """
    global _INDEX
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"departure": _("Enter the city of departure.")})
    if len(text) == 3 and text.upper() in airports():
        return text.upper()
    if _INDEX is None:
        _INDEX = _city_index()
    codes = sorted(_INDEX.get(text.casefold(), []))
    if len(codes) == 1:
        return codes[0]
    if not codes:
        raise ValidationError(
            {
                "departure": _(
                    "City of departure: no airport is known for “%(city)s”. "
                    "Check the spelling, or enter the airport's three-letter "
                    "code, e.g. TAS."
                )
                % {"city": text}
            }
        )
    table = airports()
    choices = ", ".join(f"{code} ({table[code]['name']})" for code in codes[:8])
    raise ValidationError(
        {
            "departure": _(
                "City of departure: several airports serve %(city)s; enter the "
                "code of the one to fly from: %(choices)s."
            )
            % {"city": text, "choices": choices}
        }
    )


def travel_window(meeting) -> dict[str, tuple[datetime.date, datetime.date]]:
    """Return the first and last date each preferred date may take: leaving
    at most two weeks before the meeting's first day and no later than its
    last; returning no earlier than its first day, at most two weeks after."""
    first, last = meeting.start_date, meeting.end_date
    return {
        "outbound_date": (first - TRAVEL_WINDOW, last),
        "return_date": (first, last + TRAVEL_WINDOW),
    }


def check_dates(
    meeting, *, outbound_date: datetime.date, return_date: datetime.date
) -> None:
    """Raise ValidationError (by field) unless the preferred dates are in the
    meeting's travel_window and the return is not before leaving."""
    errors = {}
    first, last = meeting.start_date, meeting.end_date
    window = travel_window(meeting)
    dates = {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "earliest": window["outbound_date"][0].isoformat(),
        "latest": window["return_date"][1].isoformat(),
    }
    if outbound_date is None:
        errors["outbound_date"] = _("Enter the preferred outbound date.")
    elif not window["outbound_date"][0] <= outbound_date <= last:
        errors["outbound_date"] = (
            _(
                "Preferred outbound date: the meeting is from %(first)s to "
                "%(last)s; choose a date from %(earliest)s to %(last)s."
            )
            % dates
        )
    if return_date is None:
        errors["return_date"] = _("Enter the preferred return date.")
    elif not first <= return_date <= window["return_date"][1]:
        errors["return_date"] = (
            _(
                "Preferred return date: the meeting is from %(first)s to "
                "%(last)s; choose a date from %(first)s to %(latest)s."
            )
            % dates
        )
    elif outbound_date is not None and return_date < outbound_date:
        errors["return_date"] = _(
            "Preferred return date: it is before the outbound date."
        )
    if errors:
        raise ValidationError(errors)


# Travel requests --------------------------------------------------------------------


def travel_refusal(
    delegate: Delegate,
    *,
    pending: bool | None = None,
    has_flights: bool | None = None,
) -> str:
    """Return why travel cannot be requested for the delegate now, or "".

    Only a funded delegate's travel is booked; one request waits at a time;
    a delegate with flights (not cancelled) asks for a change instead.
    `pending` and `has_flights` say what the caller has read (read here when
    None).
    """
    name = {"name": delegate.name_latin}
    if not delegate.funded:
        return (
            _(
                "%(name)s is not funded: the travel desk books the travel of "
                "funded delegates only."
            )
            % name
        )
    if pending is None:
        pending = TravelRequest.objects.filter(
            delegate=delegate, status=TravelRequest.Status.PENDING
        ).exists()
    if pending:
        return (
            _("A travel request for %(name)s is already waiting for the travel desk.")
            % name
        )
    if has_flights is None:
        has_flights = (
            FlightLeg.objects.filter(delegate=delegate)
            .exclude(status=FlightLeg.Status.CANCELLED)
            .exists()
        )
    if has_flights:
        return (
            _(
                "%(name)s already has flights: to change them, ask the travel "
                "desk for a change to a flight."
            )
            % name
        )
    return ""


@transaction.atomic
def submit_travel_request(
    delegation: Delegation,
    *,
    delegate: Delegate,
    departure: str,
    outbound_date: datetime.date | None,
    return_date: datetime.date | None,
    notes: str = "",
) -> TravelRequest:
    """Return the focal point's travel request, saved for the travel desk.

    Raises ValidationError: a delegate of another delegation, one not funded
    (naming them), one with a request already waiting, an unknown or
    ambiguous city of departure, dates outside the meeting's window (each
    keyed by its field). Side effects: inserts the request (with its history).
    """
    delegation = _lock(delegation.pk)
    delegate = Delegate.objects.filter(pk=delegate.pk).first()
    if delegate is None or delegate.delegation_id != delegation.pk:
        raise ValidationError(_("This delegate is not on your delegation."))
    refusal = travel_refusal(delegate)
    if refusal:
        raise ValidationError(refusal)
    errors = {}
    airport = ""
    try:
        airport = resolve_departure(departure)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        check_dates(
            delegation.meeting, outbound_date=outbound_date, return_date=return_date
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    request = TravelRequest(
        delegate=delegate,
        departure_city=" ".join(departure.split())[:100],
        departure_airport=airport,
        outbound_date=outbound_date,
        return_date=return_date,
        notes=(notes or "").strip(),
    )
    request.full_clean(exclude=["delegate", "reviewed_by"])
    request.save()
    return request


def _pending_travel(request: TravelRequest) -> TravelRequest:
    locked = (
        TravelRequest.objects.select_for_update(of=("self",))
        .select_related("delegate__delegation__meeting")
        .filter(pk=request.pk)
        .first()
    )
    if locked is None or locked.status != TravelRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."))
    return locked


def requested_legs(request: TravelRequest) -> tuple[FlightLeg, FlightLeg]:
    """Return the unsaved outbound and return legs the request asks for: from
    the departure airport to the meeting's and back, in status "requested"
    (the booking form starts from these)."""
    venue = request.delegate.delegation.meeting.venue_airport
    return (
        FlightLeg(
            delegate=request.delegate,
            from_airport=request.departure_airport,
            to_airport=venue,
            status=FlightLeg.Status.REQUESTED,
        ),
        FlightLeg(
            delegate=request.delegate,
            from_airport=venue,
            to_airport=request.departure_airport,
            status=FlightLeg.Status.REQUESTED,
        ),
    )


@transaction.atomic
def book_travel_request(
    request: TravelRequest, *, legs: Sequence[FlightLeg], reviewer
) -> TravelRequest:
    """Return the request, booked: its flights entered in status "requested".

    Each leg goes through save_flight_leg (airports, times, the meeting's
    window), whose ValidationError leaves nothing written. Raises
    ValidationError with no legs, a request already answered, or a delegate
    no longer funded (checked under the delegation's lock). Side
    effects: the flights (and their history, the delegation's packs told),
    the request's status and history, one email to the delegation.
    """
    request = _pending_travel(request)
    if not legs:
        raise ValidationError(_("Enter at least one flight to book."))
    _lock(request.delegate.delegation_id)
    # Still funded? Staff may have unticked it since the focal point asked.
    delegate = Delegate.objects.get(pk=request.delegate_id)
    if not delegate.funded:
        raise ValidationError(
            _("%(name)s is no longer funded: the travel desk books funded seats only.")
            % {"name": delegate}
        )
    saved = []
    for leg in legs:
        leg.delegate = request.delegate
        leg.status = FlightLeg.Status.REQUESTED
        saved.append(save_flight_leg(leg))
    request.flights.add(*saved)
    request.status = TravelRequest.Status.BOOKED
    request.reviewed_at = timezone.now()
    request.reviewed_by = reviewer
    request.save()
    _email(TRAVEL_EMAIL, request.pk, request.delegate.delegation)
    return request


@transaction.atomic
def decline_travel_request(
    request: TravelRequest, *, reviewer, reason: str
) -> TravelRequest:
    """Return the request, declined with the reason.

    Raises ValidationError without a reason. Side effects: the request's
    status and history, one email to the delegation.
    """
    reason = _reason(reason)
    request = _pending_travel(request)
    request.status = TravelRequest.Status.DECLINED
    request.reason = reason
    request.reviewed_at = timezone.now()
    request.reviewed_by = reviewer
    request.save()
    _email(TRAVEL_EMAIL, request.pk, request.delegate.delegation)
    return request


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why it is declined: the focal point reads it.")}
        )
    return reason


# Flight changes ----------------------------------------------------------------------


def may_ask_change(link: AccessLink, flight: FlightLeg) -> bool:
    """Return whether the link may ask to change the flight: a delegate's own
    link for their own flights, a focal point's for its delegation's."""
    if link.kind == AccessLink.Kind.DELEGATE:
        return flight.delegate_id == link.delegate_id
    return flight.delegate.delegation_id == link.delegation_id


def change_refusal(flight: FlightLeg, *, pending: bool | None = None) -> str:
    """Return why a change to the flight cannot be asked now, or ""."""
    if flight.status not in CHANGEABLE:
        return _("Only a booked flight can be changed; this one is %(status)s.") % {
            "status": flight.get_status_display()
        }
    if pending is None:
        pending = FlightChangeRequest.objects.filter(
            flight=flight, status=FlightChangeRequest.Status.PENDING
        ).exists()
    if pending:
        return _("A change to this flight is already waiting for the travel desk.")
    return ""


@transaction.atomic
def submit_change_request(
    flight: FlightLeg,
    *,
    link: AccessLink,
    change: str,
    new_date: datetime.date | None = None,
) -> FlightChangeRequest:
    """Return the request to change a booked flight, saved for the travel desk.

    Raises ValidationError: a flight the link may not ask about, one not
    booked or with a change already waiting, no change described ("change"),
    a new date outside the meeting's window ("new_date"). Side effects:
    inserts the request (with its history).
    """
    flight = (
        FlightLeg.objects.select_related("delegate__delegation__meeting")
        .filter(pk=flight.pk)
        .first()
    )
    if flight is None or not may_ask_change(link, flight):
        raise ValidationError(_("This flight is not on your delegation."))
    _lock(flight.delegate.delegation_id)
    refusal = change_refusal(flight)
    if refusal:
        raise ValidationError(refusal)
    errors = {}
    change = (change or "").strip()
    if not change:
        errors["change"] = _("Say what should change.")
    meeting = flight.delegate.delegation.meeting
    if new_date is not None and not (
        meeting.start_date - TRAVEL_WINDOW
        <= new_date
        <= meeting.end_date + TRAVEL_WINDOW
    ):
        errors["new_date"] = _(
            "New preferred date: choose a date from %(earliest)s to %(latest)s "
            "(the meeting is from %(first)s to %(last)s)."
        ) % {
            "earliest": (meeting.start_date - TRAVEL_WINDOW).isoformat(),
            "latest": (meeting.end_date + TRAVEL_WINDOW).isoformat(),
            "first": meeting.start_date.isoformat(),
            "last": meeting.end_date.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    request = FlightChangeRequest(
        flight=flight,
        requested_by=(
            FlightChangeRequest.RequestedBy.DELEGATE
            if link.kind == AccessLink.Kind.DELEGATE
            else FlightChangeRequest.RequestedBy.FOCAL_POINT
        ),
        change=change,
        new_date=new_date,
    )
    request.full_clean(exclude=["flight", "reviewed_by"])
    request.save()
    return request


def _pending_change(request: FlightChangeRequest) -> FlightChangeRequest:
    locked = (
        FlightChangeRequest.objects.select_for_update(of=("self",))
        .select_related("flight__delegate__delegation__meeting")
        .filter(pk=request.pk)
        .first()
    )
    if locked is None or locked.status != FlightChangeRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."))
    return locked


@transaction.atomic
def accept_change_request(
    request: FlightChangeRequest, *, reviewer
) -> FlightChangeRequest:
    """Return the change request, accepted: its flight goes back to status
    "requested" (through save_flight_leg) for the travel desk to edit.

    Side effects: the flight's status and history (the packs told), the
    request's status and history, one email to the delegation.
    """
    request = _pending_change(request)
    flight = request.flight
    flight.status = FlightLeg.Status.REQUESTED
    save_flight_leg(flight)
    request.status = FlightChangeRequest.Status.ACCEPTED
    request.reviewed_at = timezone.now()
    request.reviewed_by = reviewer
    request.save()
    _email(CHANGE_EMAIL, request.pk, flight.delegate.delegation)
    return request


@transaction.atomic
def decline_change_request(
    request: FlightChangeRequest, *, reviewer, reason: str
) -> FlightChangeRequest:
    """Return the change request, declined with the reason; the flight stays.

    Raises ValidationError without a reason. Side effects: the request's
    status and history, one email to the delegation.
    """
    reason = _reason(reason)
    request = _pending_change(request)
    request.status = FlightChangeRequest.Status.DECLINED
    request.reason = reason
    request.reviewed_at = timezone.now()
    request.reviewed_by = reviewer
    request.save()
    _email(CHANGE_EMAIL, request.pk, request.flight.delegate.delegation)
    return request


# Emails -----------------------------------------------------------------------------


def _email(kind: str, object_id: int, delegation: Delegation) -> None:
    queue_for_focal_point(kind, object_id, delegation)


def _compose(template: str, delegation: Delegation, context: dict):
    return compose_for_focal_point(
        delegation, f"accreditation/travel/{template}", context
    )


def compose_travel_email(request_id: int):
    """Return a travel request's decision email as it should go out now."""
    from dialogue.documents import airport_place
    from dialogue.outbox.kinds import NotToBeSent

    request = (
        TravelRequest.objects.select_related("delegate__delegation__meeting")
        .prefetch_related("flights")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotToBeSent(_("The request no longer exists."))
    delegation = request.delegate.delegation
    lang = delegation.language
    return _compose(
        "travel",
        delegation,
        {
            "request": request,
            "person": request.delegate.name(lang),
            "flights": [
                {
                    "flight": leg,
                    "from": airport_place(leg.from_airport, lang),
                    "to": airport_place(leg.to_airport, lang),
                }
                for leg in request.flights.all()
            ],
        },
    )


def compose_change_email(request_id: int):
    """Return a flight change request's decision email as it should go out now."""
    from dialogue.outbox.kinds import NotToBeSent

    request = (
        FlightChangeRequest.objects.select_related(
            "flight__delegate__delegation__meeting"
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotToBeSent(_("The request no longer exists."))
    delegation = request.flight.delegate.delegation
    return _compose(
        "change",
        delegation,
        {
            "request": request,
            "flight": request.flight,
            "person": request.flight.delegate.name(delegation.language),
        },
    )
