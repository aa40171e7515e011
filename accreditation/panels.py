"""Panels on the link page: the focal point's nominations; travel requests
and flight changes (the focal point's for its delegation, a delegate's for
their own flights), with the answers."""

from accreditation.selectors.credentials import credentials_of_delegation
from accreditation.selectors.nominations import pending_targets, requests_of_delegation
from accreditation.selectors.travel_requests import (
    change_requests_of,
    travel_requests_of,
)
from accreditation.services.travel_requests import change_refusal, travel_refusal
from dialogue.documents import airport_place


def nominations_panel(link, delegates, lang: str) -> dict | None:
    """Return the panel for a focal point's link (None for a delegate's own).

    One query: the delegation's latest requests and every one waiting.
    """
    if link.kind != "focal_point":
        return None
    requests = requests_of_delegation(link.delegation)
    waiting = pending_targets(requests)
    return {
        "template": "accreditation/nominations/panel.html",
        "token": link.token,
        "requests": requests,
        "people": [
            {"delegate": d, "name": d.name(lang), "waiting": d.pk in waiting}
            for d in delegates
        ],
    }


def credentials_panel(link, delegates, lang: str) -> dict | None:
    """Return the credentials panel for a focal point's link. One query."""
    if link.kind != "focal_point":
        return None
    return {
        "template": "accreditation/credentials/panel.html",
        "token": link.token,
        "documents": credentials_of_delegation(link.delegation, limit=5),
    }


def travel_panel(link, delegates, lang: str) -> dict | None:
    """Return the travel panel: for each delegate shown, the travel requested
    (a focal point may request it for a funded delegate) and the booked
    flights a change may be asked for. None when there is nothing to show.

    Two queries (the travel requests, the change requests); the delegates'
    flights are prefetched by the link page.
    """
    focal = link.kind == "focal_point"
    ids = [d.pk for d in delegates]
    requests = travel_requests_of(ids)
    changes = change_requests_of(ids)
    waiting_travel = {r.delegate_id for r in requests if r.status == "pending"}
    waiting_change = {c.flight_id for c in changes if c.status == "pending"}
    people = []
    for delegate in delegates:
        flights = [
            {
                "flight": f,
                "can_change": not change_refusal(f, pending=f.pk in waiting_change),
                "waiting": f.pk in waiting_change,
            }
            for f in delegate.flights.all()
            if f.status != "cancelled"
        ]
        can_request = focal and not travel_refusal(
            delegate,
            pending=delegate.pk in waiting_travel,
            has_flights=bool(flights),
        )
        if not (flights or can_request or delegate.pk in waiting_travel):
            continue
        people.append(
            {
                "delegate": delegate,
                "name": delegate.name(lang),
                "can_request": can_request,
                "waiting": delegate.pk in waiting_travel,
                "flights": flights,
            }
        )
    if not (people or requests or changes):
        return None
    names = {d.pk: d.name(lang) for d in delegates}
    flights_by_id = {f.pk: f for d in delegates for f in d.flights.all()}
    return {
        "template": "accreditation/travel/panel.html",
        "token": link.token,
        "focal": focal,
        "people": people,
        "requests": [
            {
                "request": r,
                "name": names.get(r.delegate_id),
                "from": airport_place(r.departure_airport, lang),
            }
            for r in requests
        ],
        "changes": [
            {
                "request": c,
                "name": names.get(
                    flights_by_id.get(c.flight_id, c.flight).delegate_id, ""
                ),
            }
            for c in changes
        ],
    }
