"""The programme on the participant pages and in their calendar file.

Registered with delegations.panels from AgendaConfig.ready().
"""

from agenda.selectors import Audience, programme_for
from delegations.models import AccessLink


def audience_for(link: AccessLink, delegates) -> Audience:
    """Return who a link speaks for: its delegate, or the whole delegation."""
    if link.kind == AccessLink.Kind.DELEGATE:
        return Audience({link.delegate.delegation_id}, list(delegates))
    return Audience({link.delegation_id}, list(delegates))


def meeting_id_for(link: AccessLink) -> int:
    if link.kind == AccessLink.Kind.DELEGATE:
        return link.delegate.meeting_id
    return link.delegation.meeting_id


def programme_panel(link: AccessLink, delegates, lang: str) -> dict | None:
    """Return the programme section of a participant page (six queries)."""
    items = programme_for(meeting_id_for(link), audience_for(link, delegates))
    if not items:
        return None
    return {
        "template": "agenda/programme_panel.html",
        "items": items,
        "lang": lang,
        "is_focal_point": link.kind == AccessLink.Kind.FOCAL_POINT,
    }


def programme_events(link: AccessLink, delegates, lang: str) -> list[dict]:
    """Return a calendar event per session the link's audience is invited to.

    Times are in the meeting's time zone, so the file carries its TZID.
    """
    events = []
    for item in programme_for(meeting_id_for(link), audience_for(link, delegates)):
        session = item.session
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
