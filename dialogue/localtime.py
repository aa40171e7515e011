"""Wall-clock times at a place turned into instants, without guessing.

People give times as the clock on the wall shows them: a ticket's departure in
the airport's local time, a session in the meeting's. At a daylight-saving
change such a time can name no instant (the clocks jump over it) or two (the
clocks go back and show it twice). zoneinfo answers both silently (PEP 495's
fold), so a flight could be booked an hour off; here both are refused, and a
time that happens twice is resolved only by the offset the person gives.
"""

import datetime
import re
import zoneinfo

from django.utils.translation import gettext as _

OFFSET_PATTERN = re.compile(r"^(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2})$")


def format_offset(offset: datetime.timedelta) -> str:
    """Return an offset from UTC as "+05:00" or "-03:30"."""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def parse_offset(text: str) -> datetime.timedelta:
    """Return the offset written as "+05:00", "+0500", "Z" or "UTC".

    Raises ValueError naming the text when it is none of these.
    """
    raw = text.strip().upper()
    if raw in {"Z", "UTC", "GMT"}:
        return datetime.timedelta(0)
    raw = raw.removeprefix("UTC").removeprefix("GMT")
    match = OFFSET_PATTERN.match(raw)
    if not match or int(match["hours"]) > 14 or int(match["minutes"]) > 59:
        raise ValueError(
            _("%(value)s is not an offset from UTC such as +05:00 or -03:30.")
            % {"value": text}
        )
    offset = datetime.timedelta(
        hours=int(match["hours"]), minutes=int(match["minutes"])
    )
    return -offset if match["sign"] == "-" else offset


def _wall(naive: datetime.datetime) -> str:
    return naive.strftime("%Y-%m-%d %H:%M")


class LocalTimeError(ValueError):
    """A wall-clock time at a place that names no instant, or not the one given."""


class NonexistentLocalTime(LocalTimeError):
    """The clocks at the place jumped over this time."""

    def __init__(self, naive: datetime.datetime, place: str, zone: zoneinfo.ZoneInfo):
        before = naive.replace(tzinfo=zone, fold=0).utcoffset()
        after = naive.replace(tzinfo=zone, fold=1).utcoffset()
        jump_from, jump_to = _gap_around(naive, zone)
        super().__init__(
            _(
                "%(time)s does not exist at %(place)s: that night the clocks went "
                "forward from %(from)s to %(to)s (from UTC%(before)s to "
                "UTC%(after)s). Check the time on the ticket or the programme."
            )
            % {
                "time": _wall(naive),
                "place": place,
                "from": jump_from.strftime("%H:%M"),
                "to": jump_to.strftime("%H:%M"),
                "before": format_offset(before),
                "after": format_offset(after),
            }
        )


class AmbiguousLocalTime(LocalTimeError):
    """The clocks at the place showed this time twice; the person must say which."""

    def __init__(
        self,
        naive: datetime.datetime,
        place: str,
        occurrences: list[datetime.datetime],
    ):
        self.naive = naive
        self.occurrences = occurrences
        first, second = occurrences
        super().__init__(
            _(
                "%(time)s happens twice at %(place)s, when the clocks go back: "
                "first at UTC%(first)s, then again at UTC%(second)s."
            )
            % {
                "time": _wall(naive),
                "place": place,
                "first": format_offset(first.utcoffset()),
                "second": format_offset(second.utcoffset()),
            }
        )

    def written_with_offsets(self) -> list[str]:
        """Return the time written each way it can mean, "2017-10-29 02:30 +01:00"."""
        return [
            f"{_wall(self.naive)} {format_offset(each.utcoffset())}"
            for each in self.occurrences
        ]


class OffsetNotAtPlace(LocalTimeError):
    """An offset was given that the place does not have at that time."""

    def __init__(self, naive, offset, place, occurrences):
        super().__init__(
            _(
                "%(time)s %(offset)s is not a time at %(place)s: there the clocks "
                "are at UTC%(valid)s then."
            )
            % {
                "time": _wall(naive),
                "offset": format_offset(offset),
                "place": place,
                "valid": _(" or UTC").join(
                    format_offset(each.utcoffset()) for each in occurrences
                ),
            }
        )


def occurrences(
    naive: datetime.datetime, zone: zoneinfo.ZoneInfo
) -> list[datetime.datetime]:
    """Return every instant (aware, in the zone) at which the zone's clocks
    show this wall time: none in a spring-forward gap, two in a fall-back
    overlap, else one."""
    naive = naive.replace(tzinfo=None, fold=0)
    found: list[datetime.datetime] = []
    for fold in (0, 1):
        candidate = naive.replace(tzinfo=zone, fold=fold)
        shown = candidate.astimezone(datetime.UTC).astimezone(zone)
        if shown.replace(tzinfo=None, fold=0) != naive:
            continue  # this reading of the time is inside a gap
        if all(candidate.utcoffset() != each.utcoffset() for each in found):
            found.append(candidate)
    return found


def _gap_around(
    naive: datetime.datetime, zone: zoneinfo.ZoneInfo
) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the wall times the clocks jumped from and to around a gap."""
    earliest = naive.replace(tzinfo=zone, fold=1).astimezone(datetime.UTC)
    latest = naive.replace(tzinfo=zone, fold=0).astimezone(datetime.UTC)
    if earliest > latest:
        earliest, latest = latest, earliest
    before = earliest.astimezone(zone).utcoffset()
    # Find the transition to the minute between the two readings.
    while latest - earliest > datetime.timedelta(minutes=1):
        middle = earliest + (latest - earliest) / 2
        if middle.astimezone(zone).utcoffset() == before:
            earliest = middle
        else:
            latest = middle
    transition = latest.replace(second=0, microsecond=0)
    jump_to = transition.astimezone(zone).replace(tzinfo=None)
    jump_from = (transition + before).replace(tzinfo=None)
    return jump_from, jump_to


def to_utc(
    naive: datetime.datetime,
    zone: zoneinfo.ZoneInfo | str,
    *,
    place: str,
    offset: datetime.timedelta | None = None,
) -> datetime.datetime:
    """Return the instant (in UTC) the wall time at the place names.

    `place` names the place for people ("Ashgabat (ASB)"). `offset`, when the
    person gave one, picks between the two instants of a time that happens
    twice and must be one the place has then. Raises NonexistentLocalTime,
    AmbiguousLocalTime (no offset given) or OffsetNotAtPlace.
    """
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    naive = naive.replace(tzinfo=None, fold=0)
    found = occurrences(naive, zone)
    if not found:
        raise NonexistentLocalTime(naive, place, zone)
    if offset is not None:
        for candidate in found:
            if candidate.utcoffset() == offset:
                return candidate.astimezone(datetime.UTC)
        raise OffsetNotAtPlace(naive, offset, place, found)
    if len(found) > 1:
        raise AmbiguousLocalTime(naive, place, found)
    return found[0].astimezone(datetime.UTC)


def is_ambiguous(instant: datetime.datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """Return whether the instant's wall time in the zone also names another
    instant, so that writing it down needs its offset."""
    local = instant.astimezone(zone).replace(tzinfo=None)
    return len(occurrences(local, zone)) > 1
