"""Reads of nomination requests."""

from accreditation.models import NominationRequest


def requests_of_delegation(delegation, *, limit: int = 20) -> list[NominationRequest]:
    """Return the delegation's latest requests, newest first. One query."""
    return list(
        NominationRequest.objects.filter(delegation=delegation)
        .select_related("target")
        .order_by("-submitted_at", "-pk")[:limit]
    )


def pending_targets(delegation) -> set[int]:
    """Return the ids of the delegation's delegates with a request waiting."""
    return set(
        NominationRequest.objects.filter(
            delegation=delegation,
            status=NominationRequest.Status.PENDING,
            target__isnull=False,
        ).values_list("target_id", flat=True)
    )
