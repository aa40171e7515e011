"""The programme on the participant pages and in their calendar file.

Registered with delegations.panels from AgendaConfig.ready().
"""

from agenda.selectors import (
    Audience,
    delegation_audience,
    invited_sessions,
    programme_for,
)
from delegations.models import AccessLink

# A programme longer than this shows its speakers only for the sessions the
# link's audience takes part in; the others are a line each (time, title, room,
# how many speak). 300 sessions with 1,500 speakers made 640 KiB of page.
SESSIONS_IN_FULL = 40


def audience_for(link: AccessLink, delegates) -> Audience:
    """Return who a link speaks for: its delegate, or the whole delegation.

    A focal point's page shows a page of its delegates at a time; the audience
    is every delegate of the delegation still (one query).
    """
    if link.kind == AccessLink.Kind.DELEGATE:
        return Audience({link.delegate.delegation_id}, list(delegates))
    return delegation_audience(link.delegation_id)


def meeting_id_for(link: AccessLink) -> int:
    if link.kind == AccessLink.Kind.DELEGATE:
        return link.delegate.meeting_id
    return link.delegation.meeting_id


def programme_panel(link: AccessLink, delegates, lang: str) -> dict | None:
    """Return the programme section of a participant page: a long programme
    in its compact form (SESSIONS_IN_FULL). Eleven queries, twelve for a
    focal point (its audience)."""
    items = programme_for(
        meeting_id_for(link), audience_for(link, delegates), in_full=SESSIONS_IN_FULL
    )
    if not items:
        return None
    return {
        "template": "agenda/programme_panel.html",
        "items": items,
        "compact": len(items) > SESSIONS_IN_FULL,
        "lang": lang,
        "is_focal_point": link.kind == AccessLink.Kind.FOCAL_POINT,
    }


def programme_events(link: AccessLink, delegates, lang: str) -> list[dict]:
    """Return a calendar event per session the link's audience is invited to.

    Times are in the meeting's time zone, so the file carries its TZID.
    """
    events = []
    for session, _own in invited_sessions(
        meeting_id_for(link), audience_for(link, delegates)
    ):
        events.append(
            {
                "uid": f"session-{session.pk}@dialogue",
                "summary": session.title(lang),
                "start": session.start_local,
                "end": session.end_local,
                "location": session.room.place(lang),
            }
        )
    return events
