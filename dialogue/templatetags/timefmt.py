"""Dates and times in templates, by the one rule of dialogue/timefmt.py.

    {% load timefmt %}
    {{ session.start_at|when:meeting }}   13 June 2017, 09:30 Ashgabat time (UTC+5)
    {{ comment.created_at|when:meeting }} (a Meeting, a ZoneInfo or an IANA key)
    {{ leg.departs_at|when_at:leg.from_airport }}  on that airport's clock
    {{ meeting.start_date|day }}          13 June 2017
    {{ s.start_at|clock:meeting }}        09:30
    {{ meeting|zone_label }}              Ashgabat time (UTC+5)

Each speaks the active language.
"""

import datetime

from django import template

from dialogue import timefmt

register = template.Library()


def _zone_and_city(where):
    """Return (zone, city) for a Meeting, a ZoneInfo or an IANA key."""
    if hasattr(where, "time_zone") and hasattr(where, "city_en"):
        return where.tzinfo, where.city_en
    return where, None


@register.filter
def when(moment, where=None) -> str:
    """Return the moment on the clock of `where` (default UTC), zone named."""
    if not moment:
        return ""
    zone, city = _zone_and_city(where) if where is not None else (None, None)
    if zone is None:
        zone = datetime.UTC
    return timefmt.format_datetime(moment, zone, city=city)


@register.filter
def when_at(moment, airport: str) -> str:
    """Return the moment on an airport's clock, named after its city."""
    if not moment or not airport:
        return ""
    return timefmt.format_datetime(
        moment, timefmt.airport_zone(airport), city=timefmt.airport_city(airport)
    )


@register.filter
def zone_at(airport: str, moment=None) -> str:
    """Return an airport's clock as a label: "Tashkent time (UTC+5)"."""
    if not airport:
        return ""
    return timefmt.zone_name(
        timefmt.airport_zone(airport),
        moment or None,
        city=timefmt.airport_city(airport),
    )


@register.filter
def when_local(moment, where=None) -> str:
    """Return the date and time on the clock of `where`, without the zone."""
    if not moment:
        return ""
    zone, city = _zone_and_city(where) if where is not None else (None, None)
    return timefmt.format_datetime(moment, zone, city=city, with_zone=False)


@register.filter
def day(value) -> str:
    """Return a date as "13 June 2017" / «13 июня 2017 г.»."""
    if not value:
        return ""
    return timefmt.format_date(value)


@register.filter
def clock(moment, where=None) -> str:
    """Return the moment's time on the clock of `where`: "09:30"."""
    if not moment:
        return ""
    zone, _city = _zone_and_city(where) if where is not None else (None, None)
    return timefmt.format_time(moment, zone)


@register.filter
def zone_label(where, moment=None) -> str:
    """Return a Meeting's or a zone's clock as a label: "Ashgabat time (UTC+5)"."""
    if where is None or where == "":
        return ""
    if hasattr(where, "time_zone") and hasattr(where, "city_en"):
        if moment:
            return timefmt.zone_name(where.tzinfo, moment, city=where.city_en)
        return timefmt.meeting_zone_name(where)
    return timefmt.zone_name(where, moment or None)
