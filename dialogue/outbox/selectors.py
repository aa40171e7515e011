"""Reads of the outbox."""

from dialogue.outbox.models import Email


def emails_about(kind: str, object_ids) -> dict[int, Email]:
    """Return the latest outbox email of each of these records of one kind."""
    latest: dict[int, Email] = {}
    for email in Email.objects.filter(
        kind=kind, object_id__in=list(object_ids)
    ).order_by("queued_at", "pk"):
        latest[email.object_id] = email
    return latest
