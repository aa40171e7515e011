"""Reads for the check-in at the door: the badge a code names, where the door
is (the venue or a session), whom a badge is invited to, and the counts the
dashboard shows."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, prefetch_related_objects
from django.utils import timezone

from accreditation.models import Badge, CheckIn
from accreditation.tokens import badge_serial, door_code_prefix
from agenda.models import Session
from agenda.selectors import Audience, is_invited
from dialogue.models import Meeting

# Staff badges pass every door of their meeting; the others follow the
# session's invitation (a badge without a delegate has none).
STAFF_CATEGORIES = {Badge.Category.SECRETARIAT, Badge.Category.SECURITY}
# Badges a person may hold without being a delegate (staff, the press); any
# other badge without a delegate was a delegate's, and they are gone.
HOLDERLESS_CATEGORIES = STAFF_CATEGORIES | {Badge.Category.MEDIA}


def badge_for_code(code: str) -> Badge | None:
    """Return the badge a scanned token or a typed door code names, else None
    (junk, a forged or altered token, a badge since deleted). One query."""
    badges = Badge.objects.select_related("delegate__delegation__meeting", "delegate")
    serial = badge_serial(code or "")
    if serial is not None:
        return badges.filter(serial=serial).first()
    prefix = door_code_prefix(code)
    if prefix is None:
        return None
    # 48 random bits: two badges sharing them is all but impossible; if it
    # ever happens, neither is guessed at (the QR code still tells them apart).
    found = list(badges.filter(serial__startswith=prefix)[:2])
    return found[0] if len(found) == 1 else None


def door_meeting(meeting_id: int | None, now: datetime.datetime | None = None):
    """Return the meeting asked for, else the one under way or next to come,
    else the latest."""
    meetings = Meeting.objects.order_by("start_date", "pk")
    if meeting_id is not None:
        return meetings.filter(pk=meeting_id).first()
    today = timezone.localdate(now or timezone.now())
    return (
        meetings.filter(end_date__gte=today).first()
        or Meeting.objects.order_by("-start_date", "-pk").first()
    )


def door_sessions(meeting: Meeting) -> list[Session]:
    """Return the meeting's sessions in programme order (the door's choices)."""
    return list(
        Session.objects.filter(meeting=meeting)
        .select_related("meeting", "room")
        .order_by("start_at", "room__sort_order", "pk")
    )


def session_in_progress(
    meeting: Meeting, now: datetime.datetime | None = None
) -> Session | None:
    """Return the session under way now (the earliest begun, if several)."""
    now = now or timezone.now()
    return (
        Session.objects.filter(meeting=meeting, start_at__lte=now, end_at__gt=now)
        .select_related("meeting")
        .order_by("start_at", "pk")
        .first()
    )


def working_dinners(meeting: Meeting) -> list[Session]:
    return list(
        Session.objects.filter(meeting=meeting, kind=Session.Kind.DINNER)
        .select_related("meeting")
        .order_by("start_at", "pk")
    )


def _with_invitations(sessions: list[Session]) -> list[Session]:
    prefetch_related_objects(
        sessions, "invited_delegations", "slots", "chairs", "hosts"
    )
    return sessions


def badge_invited(badge: Badge, session: Session) -> bool:
    """Return whether the badge's holder is invited to the session (agenda's
    one rule, agenda.selectors.is_invited). Staff badges go everywhere."""
    if badge.category in STAFF_CATEGORIES:
        return True
    delegate = badge.delegate
    if delegate is None or delegate.delegation.meeting_id != session.meeting_id:
        return False
    _with_invitations([session])
    audience = Audience(delegation_ids={delegate.delegation_id}, delegates=[delegate])
    return is_invited(session, audience)


@dataclass(frozen=True)
class Invitation:
    session: Session
    invited: bool
    dinner: bool


def invitations_shown(
    badge: Badge, meeting: Meeting, now: datetime.datetime | None = None
) -> list[Invitation]:
    """Whether the holder is invited to the session in progress and to the
    working dinner(s): what the door page shows under the name."""
    sessions = []
    current = session_in_progress(meeting, now)
    if current is not None:
        sessions.append(current)
    sessions += [s for s in working_dinners(meeting) if s not in sessions]
    return [
        Invitation(s, badge_invited(badge, s), s.kind == Session.Kind.DINNER)
        for s in sessions
    ]


def existing_check_in(
    badge: Badge, meeting: Meeting, session: Session | None
) -> CheckIn | None:
    return (
        CheckIn.objects.select_related("checked_in_by")
        .filter(badge=badge, meeting=meeting, session=session)
        .first()
    )


@dataclass(frozen=True)
class CheckInCount:
    session: Session | None  # None: the venue's entrance
    count: int

    @property
    def dinner(self) -> bool:
        return self.session is not None and self.session.kind == Session.Kind.DINNER


def check_in_counts(meeting: Meeting) -> list[CheckInCount]:
    """Check-ins at the venue, then per session in programme order: the
    working dinner always, other sessions once someone is checked in there
    (a programme of 300 sessions lists the few with a door). Two queries
    however many check-ins or sessions."""
    counts = {
        row["session"]: row["n"]
        for row in CheckIn.objects.filter(meeting=meeting)
        .values("session")
        .annotate(n=Count("pk"))
        .order_by()
    }
    sessions = (
        Session.objects.filter(meeting=meeting)
        .filter(Q(kind=Session.Kind.DINNER) | Q(pk__in=[k for k in counts if k]))
        .select_related("meeting")
        .order_by("start_at", "room__sort_order", "pk")
    )
    return [CheckInCount(None, counts.get(None, 0))] + [
        CheckInCount(session, counts.get(session.pk, 0)) for session in sessions
    ]
