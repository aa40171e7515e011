"""Reads of nomination requests."""

from django.db.models import Q

from accreditation.models import NominationRequest


def requests_of_delegation(delegation, *, limit: int = 20) -> list[NominationRequest]:
    """Return the delegation's latest requests and every one still waiting,
    newest first. One query: a waiting request older than the latest `limit`
    still shows, since the focal point may not send another for that person.
    """
    latest = (
        NominationRequest.objects.filter(delegation=delegation)
        .order_by("-submitted_at", "-pk")
        .values("pk")[:limit]
    )
    return list(
        NominationRequest.objects.filter(delegation=delegation)
        .filter(Q(status=NominationRequest.Status.PENDING) | Q(pk__in=latest))
        .select_related("target")
        .order_by("-submitted_at", "-pk")
    )


def pending_targets(requests: list[NominationRequest]) -> set[int]:
    """Return the ids of the delegates with a request waiting among `requests`
    (as read by requests_of_delegation, which keeps every waiting one)."""
    return {
        r.target_id
        for r in requests
        if r.status == NominationRequest.Status.PENDING and r.target_id is not None
    }
