"""Reads of the programme, each with a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agenda.models import Session, SpeakingSlot
from delegations.models import Delegate
from dialogue.models import Meeting


def programme_queryset(meeting: Meeting | int) -> QuerySet[Session]:
    """Return the meeting's sessions with everything a page shows prefetched.

    Six queries however many sessions, slots, chairs or hosts.
    """
    people = Delegate.objects.select_related("delegation").order_by(
        "delegation__sort_order", "sort_order", "id"
    )
    return (
        Session.objects.filter(meeting=meeting)
        .select_related("room", "meeting")
        .prefetch_related(
            Prefetch(
                "slots",
                queryset=SpeakingSlot.objects.select_related(
                    "speaker__delegation"
                ).order_by("position"),
            ),
            Prefetch("chairs", queryset=people),
            Prefetch("hosts", queryset=people),
            "invited_delegations",
        )
        .order_by("start_at", "room__sort_order", "id")
    )


def overlapping_sessions(
    meeting_id: int,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    exclude_pk: int | None = None,
) -> QuerySet[Session]:
    """Return the meeting's sessions that share any time with [start, end)."""
    queryset = Session.objects.filter(
        meeting_id=meeting_id, start_at__lt=end, end_at__gt=start
    )
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset


def room_conflicts(session: Session) -> list[Session]:
    """Return other sessions in the same room at overlapping times (one query)."""
    if not (session.room_id and session.start_at and session.end_at):
        return []
    return list(
        overlapping_sessions(
            session.meeting_id,
            start=session.start_at,
            end=session.end_at,
            exclude_pk=session.pk,
        )
        .filter(room_id=session.room_id)
        .select_related("meeting")
    )


SPEAKER_OVERLAP = gettext_noop(
    "%(speaker)s already speaks in “%(session)s” at an overlapping time."
)


@dataclass(frozen=True)
class SpeakerConflict:
    speaker: Delegate
    session: Session

    def params(self) -> dict:
        return {"speaker": self.speaker.name_latin, "session": self.session}

    def message(self) -> str:
        return _(SPEAKER_OVERLAP) % self.params()


def speaker_conflicts(
    meeting_id: int,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    speaker_ids: list[int],
    exclude_session_pk: int | None = None,
) -> list[SpeakerConflict]:
    """Return each speaker who speaks in another session overlapping [start, end).

    One query.
    """
    if not speaker_ids:
        return []
    sessions = overlapping_sessions(
        meeting_id, start=start, end=end, exclude_pk=exclude_session_pk
    )
    slots = (
        SpeakingSlot.objects.filter(session__in=sessions, speaker_id__in=speaker_ids)
        .select_related("speaker", "session__meeting")
        .order_by("session__start_at", "position")
    )
    return [SpeakerConflict(slot.speaker, slot.session) for slot in slots]


def allotted_minutes(session: Session) -> int:
    """Return the minutes of all speaking slots (reads session.slots.all())."""
    return sum(slot.minutes for slot in session.slots.all())


def minutes_over(session: Session) -> int:
    """Return by how many minutes the slots overrun the session (0 if they fit)."""
    return max(allotted_minutes(session) - session.duration_minutes, 0)


def session_warnings(session: Session) -> list[str]:
    """Return warnings that never block a save (reads prefetched slots)."""
    over = minutes_over(session)
    if not over:
        return []
    return [
        _(
            "The speaking slots take %(allotted)s minutes but “%(session)s” lasts "
            "%(duration)s minutes: %(over)s minutes over."
        )
        % {
            "allotted": allotted_minutes(session),
            "session": session.title_en,
            "duration": session.duration_minutes,
            "over": over,
        }
    ]


@dataclass
class SpeakerRow:
    slot: SpeakingSlot
    starts: datetime.datetime
    ends: datetime.datetime


def speakers_list(session: Session) -> list[SpeakerRow]:
    """Return the slots with running clock times in the meeting's time zone.

    Each speaker starts when the previous one's minutes end, from the session's
    start. Reads session.slots.all(), so a prefetched session costs no query.
    """
    clock = session.start_local
    rows = []
    for slot in session.slots.all():
        ends = clock + datetime.timedelta(minutes=slot.minutes)
        rows.append(SpeakerRow(slot, clock, ends))
        clock = ends
    return rows


@dataclass
class Audience:
    """Who looks at the programme: one delegate, or a focal point's delegation."""

    delegation_ids: set[int]
    delegates: list[Delegate] = field(default_factory=list)

    @cached_property
    def delegate_ids(self) -> set[int]:
        # Read for every session: a focal point of 400 delegates over 300
        # sessions built this set 1,000 times (seconds) as a plain property.
        return {d.pk for d in self.delegates}


def delegation_audience(delegation_id: int) -> Audience:
    """Return a focal point's audience: every delegate of the delegation
    (their ids, roles and delegation: what invitations and roles read). One
    query."""
    delegates = Delegate.objects.filter(delegation_id=delegation_id).only(
        "id", "role", "delegation_id"
    )
    return Audience({delegation_id}, list(delegates))


def is_invited(session: Session, audience: Audience) -> bool:
    """Return whether the session's invitation scope covers the audience.

    Speakers, chairs and hosts always see their own sessions. Reads prefetched
    relations only.
    """
    return invitation_covers(
        session.invitation,
        people_of(session),
        {d.pk for d in session.invited_delegations.all()},
        audience,
    )


def is_involved(session: Session, audience: Audience) -> bool:
    """Return whether someone of the audience speaks, chairs or hosts."""
    return bool(audience.delegate_ids.intersection(people_of(session)))


def people_of(session: Session) -> list[int]:
    """Return the ids of who speaks, chairs or hosts (prefetched relations)."""
    people = [s.speaker_id for s in session.slots.all()]
    people += [d.pk for d in session.chairs.all()]
    people += [d.pk for d in session.hosts.all()]
    return people


def invitation_covers(
    scope: str, people: list[int], chosen: set[int], audience: Audience
) -> bool:
    """The invitation rule, on ids: whether a session whose speakers, chairs
    and hosts are `people`, invited by `scope` and the `chosen` delegations,
    is open to the audience."""
    if audience.delegate_ids.intersection(people):
        return True
    if scope == Session.Invitation.ALL:
        return True
    if scope == Session.Invitation.CHOSEN:
        return bool(chosen & audience.delegation_ids)
    return any(
        d.role == Delegate.Role.HEAD and (not chosen or d.delegation_id in chosen)
        for d in audience.delegates
    )


@dataclass
class ProgrammeItem:
    session: Session
    own: bool
    speakers: list[SpeakerRow]
    own_slot_ids: set[int]
    # How many speak; a session shown as one line has no rows but a count.
    speaker_count: int = 0


def invited_sessions(meeting_id: int, audience: Audience) -> list[tuple[Session, bool]]:
    """Return (session, the audience takes part) for each session the audience
    is invited to, in programme order, with its room and `speaker_count`.

    Five queries, reading ids rather than people (the sessions, then who
    speaks, chairs, hosts and is invited): a long programme's outline for a
    link page or its calendar without building thousands of model rows. The
    sessions carry no speakers' names: for those, programme_queryset.
    """
    sessions = list(
        Session.objects.filter(meeting=meeting_id)
        .select_related("room", "meeting")
        .order_by("start_at", "room__sort_order", "id")
    )
    people: dict[int, list[int]] = defaultdict(list)
    speakers: dict[int, int] = defaultdict(int)
    for session_id, speaker_id in SpeakingSlot.objects.filter(
        session__meeting=meeting_id
    ).values_list("session_id", "speaker_id"):
        people[session_id].append(speaker_id)
        speakers[session_id] += 1
    for relation in (Session.chairs.through, Session.hosts.through):
        for session_id, delegate_id in relation.objects.filter(
            session__meeting=meeting_id
        ).values_list("session_id", "delegate_id"):
            people[session_id].append(delegate_id)
    chosen: dict[int, set[int]] = defaultdict(set)
    for session_id, delegation_id in Session.invited_delegations.through.objects.filter(
        session__meeting=meeting_id
    ).values_list("session_id", "delegation_id"):
        chosen[session_id].add(delegation_id)
    out = []
    for session in sessions:
        session.speaker_count = speakers[session.pk]
        ids = people[session.pk]
        if invitation_covers(session.invitation, ids, chosen[session.pk], audience):
            out.append((session, bool(audience.delegate_ids.intersection(ids))))
    return out


def programme_for(
    meeting_id: int, audience: Audience, *, in_full: int | None = None
) -> list[ProgrammeItem]:
    """Return the sessions the audience is invited to, own ones marked, with
    their speakers.

    When more than in_full sessions are invited, only those the audience takes
    part in come with their speakers' rows; the others carry the count alone
    (a programme of 300 sessions read 6,000 rows for a page to print 300
    lines). Eleven queries however many sessions or delegates.
    """
    invited = invited_sessions(meeting_id, audience)
    compact = in_full is not None and len(invited) > in_full
    full_ids = [session.pk for session, own in invited if own or not compact]
    full = (
        {s.pk: s for s in programme_queryset(meeting_id).filter(pk__in=full_ids)}
        if full_ids
        else {}
    )
    items = []
    for outline, own in invited:
        session = full.get(outline.pk)
        if session is None:
            items.append(ProgrammeItem(outline, own, [], set(), outline.speaker_count))
            continue
        items.append(programme_item(session, own, audience.delegate_ids))
    return items


def programme_item(session: Session, own: bool, delegate_ids: set[int]):
    """Return a session with its speakers' rows, the audience's own marked."""
    rows = speakers_list(session)
    return ProgrammeItem(
        session=session,
        own=own,
        speakers=rows,
        own_slot_ids={r.slot.pk for r in rows if r.slot.speaker_id in delegate_ids},
        speaker_count=len(rows),
    )


def public_programme(meeting: Meeting) -> list[ProgrammeItem]:
    """Return every session of the meeting for the public page (six queries)."""
    return [
        programme_item(session, False, set()) for session in programme_queryset(meeting)
    ]


def programme_days(meeting: Meeting) -> list[datetime.date]:
    """Return the local dates that have sessions, or the meeting's first day."""
    tz = meeting.tzinfo
    dates = sorted(
        {
            start.astimezone(tz).date()
            for start in Session.objects.filter(meeting=meeting).values_list(
                "start_at", flat=True
            )
        }
    )
    return dates or [meeting.start_date]


def day_programme(meeting: Meeting, day: datetime.date) -> list[Session]:
    """Return the sessions starting on a local day, with slots prefetched."""
    tz = meeting.tzinfo
    start = datetime.datetime.combine(day, datetime.time(0, 0), tz)
    end = start + datetime.timedelta(days=1)
    return list(
        programme_queryset(meeting).filter(start_at__gte=start, start_at__lt=end)
    )
