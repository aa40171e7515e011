"""Nominations: a focal point asks, the secretariat decides.

A focal point adds, replaces or withdraws a delegate through its link; each is
a NominationRequest, pending until the secretariat approves it (the change is
made then, through the delegations services) or returns it with a reason.
Either way the delegation is emailed in its language (the outbox, after
commit). The funded quota is checked when the request is made, so the focal
point hears at once whom the seats are taken by, and again, under the
delegation's lock, when it is approved; the database's count trigger refuses
whatever would pass it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accreditation.models import Badge, NominationRequest
from accreditation.services.decision_emails import (
    compose_for_focal_point,
    queue_for_focal_point,
)
from delegations.models import Delegate, Delegation
from delegations.services import (
    FundedQuotaExceeded,
    check_unique_email,
    funded_names,
    quota_message,
    remove_delegate,
    save_delegate,
    validate_delegate,
)
from delegations.validators import normalise_phone

PERSON_FIELDS = (
    "honorific",
    "name_latin",
    "name_cyrillic",
    "position_en",
    "position_ru",
    "role",
    "email",
    "phone",
    "preferred_language",
    "dietary_needs",
    "accessibility_needs",
)
DECISION_EMAIL = "nomination_decision"


def _lock(delegation_id: int) -> Delegation:
    return Delegation.objects.select_for_update().get(pk=delegation_id)


def proposed_delegate(
    request: NominationRequest, *, replaced: Delegate | None = None
) -> Delegate:
    """Return the unsaved delegate an addition or replacement would create
    (a replacement takes the replaced person's place in the list)."""
    delegate = Delegate(
        delegation=request.delegation,
        funded=request.funded_requested,
        **{name: getattr(request, name) for name in PERSON_FIELDS},
    )
    if replaced is not None:
        delegate.sort_order = replaced.sort_order
    return delegate


def _check_person(request: NominationRequest) -> None:
    """Raise ValidationError (by field) unless the proposed person may be saved.

    The delegate rules run as for staff entry (names, role, phone, the email
    unique at the meeting); the quota is checked separately.
    """
    try:
        request.phone = normalise_phone(request.phone)
    except ValidationError as exc:  # said of the number, not of the field
        raise ValidationError({"phone": exc.messages}) from None
    delegate = proposed_delegate(request, replaced=request.target)
    delegate.funded = False
    validate_delegate(delegate, check_email=False)
    check_unique_email(delegate, removed=[request.target] if request.target else [])


def _check_seat(request: NominationRequest, delegation: Delegation) -> None:
    """Raise FundedQuotaExceeded if the request would pass the funded quota.

    A replacement of a funded delegate passes the seat on; pending additions
    asking for a seat count as taken, so two requests cannot both be promised
    the last one.
    """
    if request.kind == NominationRequest.Kind.WITHDRAW or not request.funded_requested:
        return
    freed = 1 if request.target_id and request.target.funded else 0
    waiting = (
        NominationRequest.objects.filter(
            delegation=delegation,
            status=NominationRequest.Status.PENDING,
            funded_requested=True,
        )
        .exclude(pk=request.pk)
        .exclude(target__funded=True)
        .count()
    )
    if delegation.funded_count - freed + waiting + 1 > delegation.funded_quota:
        raise FundedQuotaExceeded(
            quota_message(delegation, funded_names(delegation)), code="funded_quota"
        )


@transaction.atomic
def submit_request(
    delegation: Delegation,
    *,
    kind: str,
    target: Delegate | None = None,
    data: dict | None = None,
) -> NominationRequest:
    """Return the focal point's request, saved for review; nothing else changes.

    Raises ValidationError naming the field (the person's details, a target of
    another delegation, a request already waiting about that person) and
    FundedQuotaExceeded with the names of those already funded. Side effects:
    inserts the request (with its history).
    """
    delegation = _lock(delegation.pk)
    if target is not None and target.delegation_id != delegation.pk:
        raise ValidationError(_("This delegate is not on your delegation."))
    if kind != NominationRequest.Kind.ADD and target is None:
        raise ValidationError(_("Choose the delegate concerned."))
    request = NominationRequest(
        delegation=delegation,
        kind=kind,
        target=target if kind != NominationRequest.Kind.ADD else None,
        target_name=target.name_latin if target is not None else "",
    )
    if kind != NominationRequest.Kind.WITHDRAW:
        for name, value in (data or {}).items():
            if name in (*PERSON_FIELDS, "funded_requested"):
                setattr(request, name, value)
        _check_person(request)
    if (
        request.target_id
        and NominationRequest.objects.filter(
            target_id=request.target_id, status=NominationRequest.Status.PENDING
        ).exists()
    ):
        raise ValidationError(
            _("A request about this delegate is already waiting for review.")
        )
    _check_seat(request, delegation)
    request.full_clean(exclude=["target", "delegation", "reviewed_by", "result"])
    request.save()
    return request


def _revoke_badges(delegate: Delegate, reason: str) -> None:
    Badge.objects.filter(delegate=delegate, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def _pending(request: NominationRequest) -> NominationRequest:
    """The request, locked, if it still waits for review."""
    locked = (
        NominationRequest.objects.select_for_update(of=("self",))
        .select_related("target", "delegation")
        .filter(pk=request.pk)
        .first()
    )
    if locked is None or locked.status != NominationRequest.Status.PENDING:
        raise ValidationError(_("This request has already been reviewed."))
    return locked


@transaction.atomic
def approve_request(request: NominationRequest, *, reviewer) -> NominationRequest:
    """Return the request, approved and carried out on the delegation.

    An addition creates the delegate (nominated); a replacement takes the
    replaced person off (their links go, their badge is revoked) and then
    creates the replacement in their place, so a funded seat passes on
    without the count ever passing the quota; a withdrawal takes the person
    off. Raises ValidationError / FundedQuotaExceeded as the delegations
    services do, leaving everything as it was. Side effects: those writes,
    the request's status and history, and one email to the delegation.
    """
    request = _pending(request)
    delegation = _lock(request.delegation_id)
    if request.kind != NominationRequest.Kind.WITHDRAW:
        _check_person(request)
        _check_seat(request, delegation)
    target = request.target
    # Approved before the person goes: their row's deletion sets the request's
    # target to NULL, which only a reviewed request may have.
    NominationRequest.objects.filter(pk=request.pk).update(
        status=NominationRequest.Status.APPROVED
    )
    if target is not None:
        _revoke_badges(
            target,
            Badge.RevokedReason.WITHDRAWN
            if request.kind == NominationRequest.Kind.WITHDRAW
            else Badge.RevokedReason.REPLACED,
        )
        remove_delegate(target)
        request.target = None
    if request.kind != NominationRequest.Kind.WITHDRAW:
        request.result = save_delegate(proposed_delegate(request, replaced=target))
    request.status = NominationRequest.Status.APPROVED
    request.reviewed_at = timezone.now()
    request.reviewed_by = reviewer
    request.save()
    _email_decision(request)
    return request


@transaction.atomic
def return_request(
    request: NominationRequest, *, reviewer, reason: str
) -> NominationRequest:
    """Return the request, sent back to the focal point with the reason.

    Raises ValidationError without a reason. Side effects: the request's
    status and history, and one email to the delegation.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the request is returned: the focal point reads it.")}
        )
    request = _pending(request)
    request.status = NominationRequest.Status.RETURNED
    request.reason = reason
    request.reviewed_at = timezone.now()
    request.reviewed_by = reviewer
    request.save()
    _email_decision(request)
    return request


def _email_decision(request: NominationRequest) -> None:
    """Queue the decision's email to the delegation's focal point, if any."""
    queue_for_focal_point(DECISION_EMAIL, request.pk, request.delegation)


def compose_decision_email(request_id: int):
    """Return the decision's email as it should go out now (the outbox's kind)."""
    from dialogue.outbox.kinds import NotToBeSent

    request = (
        NominationRequest.objects.select_related("delegation__meeting")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotToBeSent(_("The request no longer exists."))
    return compose_for_focal_point(
        request.delegation, "accreditation/nominations/email", {"request": request}
    )
