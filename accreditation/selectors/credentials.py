"""Reads of credentials (notes verbales, letters of credentials)."""

from accreditation.models import Credentials


def credentials_of_delegation(delegation, *, limit: int = 20) -> list[Credentials]:
    """Return the delegation's latest documents, newest first. One query."""
    return list(
        Credentials.objects.filter(delegation=delegation).order_by(
            "-uploaded_at", "-pk"
        )[:limit]
    )


def credentials_for_focal_point(delegation, credentials_id) -> Credentials | None:
    """Return the delegation's own document with that id, else None."""
    return Credentials.objects.filter(pk=credentials_id, delegation=delegation).first()


def delegates_to_accredit(credentials: Credentials):
    """Return the document's delegation's delegates, in the list's order, and
    the ids of those still nominated (ticked on the review page). One query."""
    from delegations.models import Accreditation, Delegate

    delegates = Delegate.objects.filter(
        delegation_id=credentials.delegation_id
    ).order_by("sort_order", "pk")
    nominated = [d.pk for d in delegates if d.accreditation == Accreditation.NOMINATED]
    return delegates, nominated
