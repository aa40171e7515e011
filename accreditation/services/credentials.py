"""Credentials: the focal point uploads, the secretariat accredits.

A focal point uploads its delegation's note verbale or letter of credentials
through its link; the file is checked (accreditation.credentials) and kept
privately. The secretariat approves it for the delegates it names, who move
from nominated to accredited, or returns it with a reason. Either way the
delegation is emailed in its language (the outbox, after commit).
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accreditation.credentials import check_credentials_file
from accreditation.models import Credentials
from accreditation.services.decision_emails import (
    compose_for_focal_point,
    queue_for_focal_point,
)
from delegations.models import Accreditation, Delegate, Delegation
from delegations.services import advance_accreditation

DECISION_EMAIL = "credentials_decision"


def _shown_name(name: str) -> str:
    """The uploaded file's own name, as a label: no folders, at most 200."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or "credentials.pdf")[:200]


@transaction.atomic
def submit_credentials(
    delegation: Delegation, *, kind: str, data: bytes, name: str
) -> Credentials:
    """Return the uploaded document, kept for review.

    Raises ValidationError by field: `kind` not a document kind, or `file`
    failing the check (not a PDF, too large, a polyglot, active content).
    Side effects: writes the file under a random name in private storage and
    inserts the row (with its history). Nothing about the delegates changes.
    """
    if kind not in Credentials.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    try:
        pages = check_credentials_file(data)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    credentials = Credentials(
        delegation=delegation,
        kind=kind,
        original_name=_shown_name(name),
        size=len(data),
        pages=pages,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    credentials.file.save(
        f"credentials/{secrets.token_hex(16)}.pdf", ContentFile(data), save=False
    )
    try:  # a refused insert leaves no file behind
        credentials.save()
    except Exception:
        credentials.file.storage.delete(credentials.file.name)
        raise
    return credentials


def _received(credentials: Credentials) -> Credentials:
    locked = Credentials.objects.select_for_update().get(pk=credentials.pk)
    if locked.status != Credentials.Status.RECEIVED:
        raise ValidationError(
            _("This document was already reviewed (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def approve_credentials(
    credentials: Credentials, *, reviewer, delegates: list[Delegate]
) -> Credentials:
    """Return the document, approved, with the delegates it names accredited.

    `delegates` are those the document names: each must be of its delegation
    (ValidationError naming the one that is not, and nothing changes); none
    at all is refused. Each moves to accredited, or stays where it is if it
    is further on (a badge printed, checked in). Side effects: the delegates'
    status, the document's status and history, one email to the delegation.
    """
    credentials = _received(credentials)
    if not delegates:
        raise ValidationError(
            {"accredited": _("Tick the delegates the document names.")}
        )
    for delegate in delegates:
        if delegate.delegation_id != credentials.delegation_id:
            raise ValidationError(
                {
                    "accredited": _("%(name)s is not of %(delegation)s.")
                    % {"name": delegate, "delegation": credentials.delegation}
                }
            )
    for delegate in delegates:
        advance_accreditation(delegate, Accreditation.ACCREDITED)
    credentials.status = Credentials.Status.APPROVED
    credentials.reviewed_at = timezone.now()
    credentials.reviewed_by = reviewer
    credentials.save()
    credentials.accredited.set(delegates)
    _email_decision(credentials)
    return credentials


@transaction.atomic
def return_credentials(
    credentials: Credentials, *, reviewer, reason: str
) -> Credentials:
    """Return the document, sent back to the focal point with the reason.

    Raises ValidationError without a reason. Side effects: the document's
    status and history, one email to the delegation.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the document is returned: the focal point reads it.")}
        )
    credentials = _received(credentials)
    credentials.status = Credentials.Status.RETURNED
    credentials.reason = reason
    credentials.reviewed_at = timezone.now()
    credentials.reviewed_by = reviewer
    credentials.save()
    _email_decision(credentials)
    return credentials


def _email_decision(credentials: Credentials) -> None:
    """Queue the decision's email to the delegation's focal point, if any."""
    queue_for_focal_point(DECISION_EMAIL, credentials.pk, credentials.delegation)


def compose_decision_email(credentials_id: int):
    """Return the decision's email as it should go out now (the outbox's kind)."""
    from dialogue.outbox.kinds import NotToBeSent

    credentials = (
        Credentials.objects.select_related("delegation__meeting")
        .filter(pk=credentials_id)
        .first()
    )
    if credentials is None:
        raise NotToBeSent(_("The document no longer exists."))
    delegation = credentials.delegation
    lang = delegation.language
    return compose_for_focal_point(
        delegation,
        "accreditation/credentials/email",
        {
            "credentials": credentials,
            "accredited": [d.name(lang) for d in credentials.accredited.all()],
        },
    )
