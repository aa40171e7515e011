"""Reads of travel and flight change requests."""

from accreditation.models import FlightChangeRequest, TravelRequest


def travel_requests_of(delegate_ids, *, limit: int = 50) -> list[TravelRequest]:
    """Return the delegates' travel requests, newest first (one query)."""
    return list(
        TravelRequest.objects.filter(delegate_id__in=list(delegate_ids)).order_by(
            "-submitted_at", "-pk"
        )[:limit]
    )


def change_requests_of(delegate_ids, *, limit: int = 50) -> list[FlightChangeRequest]:
    """Return the change requests about the delegates' flights, newest first,
    each with its flight (one query)."""
    return list(
        FlightChangeRequest.objects.filter(flight__delegate_id__in=list(delegate_ids))
        .select_related("flight")
        .order_by("-submitted_at", "-pk")[:limit]
    )
