"""Badges: issued to accredited delegates, printed, revoked; their photos.

Each write that changes what a badge shows (a badge issued or revoked, a
photo) says so through dialogue.changes.inputs_changed inside its
transaction, so the badge sheets of the delegation and of the meeting are
marked stale and re-rendered after commit (dialogue.packs). Printing changes
no sheet: it moves the delegate's accreditation to "badge printed".
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accreditation.badges import default_category
from accreditation.models import Badge, BadgePhoto
from accreditation.photos import normalised_photo, random_name
from delegations.models import Accreditation, Delegate
from delegations.services import advance_accreditation
from dialogue.changes import inputs_changed

ACCREDITED = (
    Accreditation.ACCREDITED,
    Accreditation.BADGE_PRINTED,
    Accreditation.CHECKED_IN,
)


def _changed(delegate: Delegate) -> None:
    inputs_changed(
        delegate.delegation.meeting_id, delegation_ids=[delegate.delegation_id]
    )


@transaction.atomic
def issue_badge(delegate: Delegate, *, category: str = "") -> Badge:
    """Return a new badge for an accredited delegate.

    The category is staff's choice or else follows the delegation and role
    (accreditation.badges.default_category); the names are copied as they
    stand. Raises ValidationError naming the delegate when they are not
    accredited yet or already hold an active badge, and (field "category")
    for an unknown category. Side effects: creates the Badge; marks the
    delegation's and the meeting's badge sheets stale.
    """
    if delegate.accreditation not in ACCREDITED:
        raise ValidationError(
            _(
                "%(name)s is not accredited yet: a badge is issued once the "
                "credentials are approved."
            )
            % {"name": delegate.name_latin},
            code="not_accredited",
        )
    if category and category not in Badge.Category.values:
        raise ValidationError(
            {"category": _("Choose one of the badge categories.")}, code="category"
        )
    if Badge.objects.filter(delegate=delegate, revoked_at__isnull=True).exists():
        raise ValidationError(
            _("%(name)s already has a badge; revoke it to issue another.")
            % {"name": delegate.name_latin},
            code="has_badge",
        )
    badge = Badge(
        delegate=delegate,
        holder_name_latin=delegate.name_latin,
        holder_name_cyrillic=delegate.name_cyrillic,
        category=category or default_category(delegate),
    )
    try:
        with transaction.atomic():
            badge.save()
    except IntegrityError:  # a concurrent issue won the one active badge
        raise ValidationError(
            _("%(name)s already has a badge; revoke it to issue another.")
            % {"name": delegate.name_latin},
            code="has_badge",
        ) from None
    _changed(delegate)
    return badge


@dataclass
class IssueResult:
    issued: list[Badge] = field(default_factory=list)
    already: int = 0  # accredited delegates who hold an active badge
    refused: list[str] = field(default_factory=list)  # not accredited, by name


@transaction.atomic
def issue_badges(delegation_ids: list[int], *, category: str = "") -> IssueResult:
    """Issue a badge to every accredited delegate of these delegations who has
    none; return who got one, who had one, and who is not accredited (named).

    Side effects: those of issue_badge, once per badge.
    """
    result = IssueResult()
    delegates = (
        Delegate.objects.filter(delegation_id__in=delegation_ids)
        .select_related("delegation")
        .order_by("delegation__sort_order", "delegation__name_en", "sort_order", "pk")
    )
    holding = set(
        Badge.objects.filter(
            delegate__delegation_id__in=delegation_ids, revoked_at__isnull=True
        ).values_list("delegate_id", flat=True)
    )
    for delegate in delegates:
        if delegate.pk in holding:
            result.already += 1
            continue
        try:
            result.issued.append(issue_badge(delegate, category=category))
        except ValidationError as exc:
            result.refused += exc.messages
    return result


@transaction.atomic
def revoke_badge(
    badge: Badge, *, note: str, reason: str = Badge.RevokedReason.REVOKED
) -> Badge:
    """Revoke a badge: its code answers red at the door from now on.

    Raises ValidationError (field "revoked_note") without a note saying why,
    or when the badge is already revoked. Side effects: sets revoked_at,
    revoked_reason and revoked_note; marks the badge sheets stale.
    """
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"revoked_note": _("Say why the badge is revoked.")}, code="required"
        )
    locked = Badge.objects.select_for_update().get(pk=badge.pk)
    if locked.revoked_at is not None:
        raise ValidationError(
            _("The badge of %(name)s is already revoked.")
            % {"name": locked.holder_name_latin},
            code="revoked",
        )
    locked.revoked_at = timezone.now()
    locked.revoked_reason = reason
    locked.revoked_note = note[:300]
    locked.save(update_fields=["revoked_at", "revoked_reason", "revoked_note"])
    if locked.delegate_id is not None:
        _changed(
            Delegate.objects.select_related("delegation").get(pk=locked.delegate_id)
        )
    return locked


def revoke_badges_of_leaving(delegate_id: int) -> int:
    """Revoke, as withdrawn, the active badges of a delegate about to be deleted
    (dialogue.changes.delegate_leaving: a withdrawal, or a delegate taken off a
    list in the admin); return how many. A replacement has revoked its badge
    as replaced already. Runs inside the deleting service's transaction; the
    badge keeps the holder's names, so its code answers "withdrawn" at the door.
    """
    return Badge.objects.filter(
        delegate_id=delegate_id, revoked_at__isnull=True
    ).update(
        revoked_at=timezone.now(),
        revoked_reason=Badge.RevokedReason.WITHDRAWN,
        revoked_note=gettext_noop("The delegate was taken off the delegation."),
    )


@transaction.atomic
def mark_printed(badge: Badge) -> Badge:
    """Record that a badge was printed (again: the time is the latest print).

    Raises ValidationError for a revoked badge. Side effects: sets printed_at;
    moves the delegate's accreditation to "badge printed" (never back).
    """
    locked = Badge.objects.select_for_update().get(pk=badge.pk)
    if locked.revoked_at is not None or locked.delegate_id is None:
        raise ValidationError(
            _("The badge of %(name)s is revoked: it is not to be printed.")
            % {"name": locked.holder_name_latin},
            code="revoked",
        )
    locked.printed_at = timezone.now()
    locked.save(update_fields=["printed_at"])
    advance_accreditation(locked.delegate, Accreditation.BADGE_PRINTED)
    return locked


@transaction.atomic
def set_badge_photo(delegate: Delegate, data: bytes) -> BadgePhoto:
    """Return the delegate's badge photo, replaced by this upload.

    Raises ValidationError (field "photo") unless the bytes are a JPEG or PNG
    that Pillow verifies, within the size limit (accreditation.photos). What
    is stored is a re-encoded JPEG under a random name in private storage (no
    URL). Side effects: writes the file (removed again if the row is not
    saved), creates or updates the BadgePhoto, removes the previous file after
    commit; marks the badge sheets stale.
    """
    clean = normalised_photo(data)
    storage = BadgePhoto._meta.get_field("image").storage
    photo = BadgePhoto.objects.select_for_update().filter(delegate=delegate).first()
    old_name = photo.image.name if photo else ""
    photo = photo or BadgePhoto(delegate=delegate)
    name = storage.save(random_name(), ContentFile(clean))
    try:
        photo.image.name = name
        photo.save()
        _changed(delegate)
    except BaseException:
        storage.delete(name)
        raise
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return photo
