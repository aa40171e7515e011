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
