"""Reads of badges: what the badge sheets print (dialogue.packs reads these),
and what the admin and the focal point's page show."""

from accreditation.badges import COLOURS, LABELS
from accreditation.models import Badge, BadgePhoto
from accreditation.tokens import badge_token, door_code


def active_badges(meeting_id: int, *, delegation_id: int | None = None):
    """Return the meeting's active badges (of one delegation), in the order of
    the list of participants, with delegate, delegation and photo. One query."""
    badges = Badge.objects.filter(
        revoked_at__isnull=True,
        delegate__isnull=False,
        delegate__delegation__meeting_id=meeting_id,
    )
    if delegation_id is not None:
        badges = badges.filter(delegate__delegation_id=delegation_id)
    return badges.select_related(
        "delegate__delegation", "delegate__badge_photo"
    ).order_by(
        "delegate__delegation__sort_order",
        "delegate__delegation__name_en",
        "delegate__sort_order",
        "delegate__pk",
    )


def _photo_name(delegate) -> str:
    try:
        return delegate.badge_photo.image.name
    except BadgePhoto.DoesNotExist:
        return ""


def badge_cards(meeting_id: int, *, delegation_id: int | None = None) -> list[dict]:
    """Return what each active badge prints, as plain values (their hash is the
    sheet's fingerprint): names in both scripts, delegation in EN and RU, the
    category's words and colours, the photo's stored name ("" for none) and
    the signed token of the QR code, which names only the badge's serial.

    One query. A new photo is stored under a new random name, so the name
    stands for its content.
    """
    cards = []
    for badge in active_badges(meeting_id, delegation_id=delegation_id):
        delegation = badge.delegate.delegation
        background, ink = COLOURS[badge.category]
        label_en, label_ru = LABELS[badge.category]
        cards.append(
            {
                "serial": badge.serial.hex,
                "token": badge_token(badge),
                "door_code": door_code(badge),
                "name_latin": badge.holder_name_latin,
                "name_cyrillic": badge.holder_name_cyrillic,
                "delegation_en": delegation.name_en,
                "delegation_ru": delegation.name_ru,
                "category": badge.category,
                "label_en": label_en,
                "label_ru": label_ru,
                "background": background,
                "ink": ink,
                "photo": _photo_name(badge.delegate),
            }
        )
    return cards


def badge_photo_bytes(name: str) -> bytes | None:
    """Return a stored badge photo's bytes (by its stored name), or None."""
    if not name or not BadgePhoto.objects.filter(image=name).exists():
        return None
    storage = BadgePhoto._meta.get_field("image").storage
    try:
        with storage.open(name, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def delegate_photo(delegate) -> BadgePhoto | None:
    """Return the delegate's badge photo row, or None. One query."""
    return BadgePhoto.objects.filter(delegate=delegate).first()


def badge_counts(meeting_id: int) -> dict[int, int]:
    """Return {delegation id: active badges} of the meeting. One query."""
    from django.db.models import Count

    rows = (
        Badge.objects.filter(
            revoked_at__isnull=True, delegate__delegation__meeting_id=meeting_id
        )
        .values("delegate__delegation_id")
        .annotate(n=Count("id"))
    )
    return {row["delegate__delegation_id"]: row["n"] for row in rows}


def issue_table(meeting_id: int) -> list[dict]:
    """Return per delegation of the meeting: its delegates, how many are
    accredited, and how many hold an active badge (the issue page). Two
    queries."""
    from django.db.models import Count, Q

    from delegations.models import Delegation

    accredited = ["accredited", "badge_printed", "checked_in"]
    delegations = Delegation.objects.filter(meeting_id=meeting_id).annotate(
        people=Count("delegates", distinct=True),
        accredited=Count(
            "delegates",
            filter=Q(delegates__accreditation__in=accredited),
            distinct=True,
        ),
    )
    counts = badge_counts(meeting_id)
    return [
        {
            "delegation": delegation,
            "people": delegation.people,
            "accredited": delegation.accredited,
            "badges": counts.get(delegation.pk, 0),
        }
        for delegation in delegations
    ]
