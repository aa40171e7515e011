"""The .ics file of a delegate's or delegation's flights (and sessions)."""

import datetime

from icalendar import Calendar, Event

from delegations.models import Delegate
from dialogue.models import Meeting


def build_calendar(
    meeting: Meeting,
    delegates: list[Delegate],
    *,
    lang: str,
    extra_events: list[dict] = (),
) -> bytes:
    """Return an iCalendar file with each flight in its airports' time zones.

    Writes every flight prefetched on the delegates: the caller leaves
    cancelled ones out (delegates_for_link(..., cancelled_flights=False)).

    extra_events are dicts with uid, summary, start, end (aware) and location;
    the agenda adds its sessions through them.
    """
    cal = Calendar()
    cal.add("prodid", "-//Dialogue portal//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", meeting.title(lang))
    stamp = datetime.datetime.now(datetime.UTC)
    for delegate in delegates:
        for flight in delegate.flights.all():
            event = Event()
            event.add("uid", f"flight-{flight.pk}@dialogue")
            event.add("dtstamp", stamp)
            event.add(
                "summary",
                f"{flight.carrier} {flight.flight_number} "
                f"{flight.from_airport}→{flight.to_airport}",
            )
            event.add("dtstart", flight.departs_local)
            event.add("dtend", flight.arrives_local)
            event.add("location", flight.from_airport)
            if len(delegates) > 1:
                event.add("description", delegate.name(lang))
            cal.add_component(event)
    for item in extra_events:
        event = Event()
        event.add("uid", item["uid"])
        event.add("dtstamp", stamp)
        event.add("summary", item["summary"])
        event.add("dtstart", item["start"])
        event.add("dtend", item["end"])
        if item.get("location"):
            event.add("location", item["location"])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
