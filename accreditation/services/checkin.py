"""Check-in at the door: a scanned or typed badge code in, an answer out.

The answer is green (let in: checked in now, or already checked in earlier,
with when and by whom), amber (a genuine, valid badge not invited to this
session: nothing is recorded, the protocol officer decides) or red (not one
of our badges or an altered code, or a badge revoked, replaced or withdrawn,
or a badge of another meeting: nothing is recorded).

A badge is checked in once at a meeting's venue and once per session: the
badge's row is locked while the check-in is looked up and written, and the
database's two unique constraints (accreditation.models.CheckIn) refuse a
second row whatever happens, so two phones scanning the same badge at the
same moment record one check-in. The first check-in moves the delegate's
accreditation to "checked in" (delegations.services.advance_accreditation).
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accreditation.models import Badge, CheckIn
from accreditation.selectors.checkin import (
    HOLDERLESS_CATEGORIES,
    badge_for_code,
    badge_invited,
    existing_check_in,
)
from agenda.models import Session
from delegations.models import Accreditation, Delegate
from delegations.services import advance_accreditation
from dialogue.models import Meeting


class State:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Reason:
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    UNKNOWN = "unknown"  # junk, forged or altered, or no such badge
    REVOKED = "revoked"
    REPLACED = "replaced"
    WITHDRAWN = "withdrawn"
    OTHER_MEETING = "other_meeting"
    NOT_INVITED = "not_invited"


_STATES = {
    Reason.CHECKED_IN: State.GREEN,
    Reason.ALREADY: State.GREEN,
    Reason.NOT_INVITED: State.AMBER,
}


@dataclass(frozen=True)
class CheckInResult:
    reason: str
    badge: Badge | None = None
    check_in: CheckIn | None = None  # the one row, new or earlier

    @property
    def state(self) -> str:
        return _STATES.get(self.reason, State.RED)

    @property
    def created(self) -> bool:
        return self.reason == Reason.CHECKED_IN


def refusal(badge: Badge, meeting: Meeting) -> str | None:
    """Return why the badge may not pass any door of the meeting, else None."""
    if badge.revoked_at is not None:
        return {
            Badge.RevokedReason.REPLACED: Reason.REPLACED,
            Badge.RevokedReason.WITHDRAWN: Reason.WITHDRAWN,
        }.get(badge.revoked_reason, Reason.REVOKED)
    if badge.delegate is not None and badge.delegate.delegation.meeting_id != (
        meeting.pk
    ):
        return Reason.OTHER_MEETING
    if badge.delegate_id is None and badge.category not in HOLDERLESS_CATEGORIES:
        # A delegate's badge whose delegate is gone (a delegation deleted
        # whole): whoever holds it was withdrawn, revoked or not.
        return Reason.WITHDRAWN
    return None


def check_in(
    code: str,
    *,
    by,
    session: Session | None = None,
    meeting: Meeting | None = None,
) -> CheckInResult:
    """Check the badge the code names in at the session's door, or at the
    meeting's venue when there is no session; return the answer.

    Side effects (green, first time only): one CheckIn row, and the delegate's
    accreditation moved to "checked in". Red and amber write nothing.
    """
    if session is not None:
        if meeting is not None and meeting.pk != session.meeting_id:
            raise ValueError("The session is not of this meeting.")
        meeting = session.meeting
    if meeting is None:
        raise ValueError("A check-in needs a meeting or a session.")
    found = badge_for_code(code)
    if found is None:
        return CheckInResult(Reason.UNKNOWN)
    with transaction.atomic():
        # Under the badge's lock: a revocation or another phone's check-in of
        # the same badge waits for this one, and is seen by the next.
        badge = (
            Badge.objects.select_for_update(of=("self",))
            .select_related("delegate__delegation")
            .get(pk=found.pk)
        )
        reason = refusal(badge, meeting)
        if reason is not None:
            return CheckInResult(reason, badge)
        if session is not None and not badge_invited(badge, session):
            return CheckInResult(Reason.NOT_INVITED, badge)
        earlier = existing_check_in(badge, meeting, session)
        if earlier is not None:
            return CheckInResult(Reason.ALREADY, badge, earlier)
        try:
            with transaction.atomic():
                row = CheckIn.objects.create(
                    badge=badge,
                    meeting=meeting,
                    session=session,
                    checked_in_at=timezone.now(),
                    checked_in_by=by,
                )
        except IntegrityError:
            # Only where the lock is not taken (SQLite serialises writers).
            earlier = existing_check_in(badge, meeting, session)
            if earlier is None:
                raise
            return CheckInResult(Reason.ALREADY, badge, earlier)
        if badge.delegate_id is not None:
            delegate = Delegate.objects.select_for_update().get(pk=badge.delegate_id)
            advance_accreditation(delegate, Accreditation.CHECKED_IN)
        return CheckInResult(Reason.CHECKED_IN, badge, row)
