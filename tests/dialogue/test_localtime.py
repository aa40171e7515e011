"""Wall-clock times at a place: one instant, none (the clocks skip it) or two
(the clocks show it twice, and only an offset given decides)."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from dialogue.localtime import (
    AmbiguousLocalTime,
    NonexistentLocalTime,
    OffsetNotAtPlace,
    format_offset,
    is_ambiguous,
    occurrences,
    parse_offset,
    to_utc,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(*parts):
    return datetime.datetime(*parts)


def utc(*parts):
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


def test_an_ordinary_time_is_one_instant():
    assert to_utc(at(2017, 6, 13, 9, 30), "Asia/Ashgabat", place="Ashgabat") == utc(
        2017, 6, 13, 4, 30
    )
    assert (
        len(occurrences(at(2017, 6, 13, 9, 30), zoneinfo.ZoneInfo("Europe/London")))
        == 1
    )


@pytest.mark.parametrize(
    ("zone", "wall", "jump"),
    [
        ("Europe/London", at(2017, 3, 26, 1, 30), ("01:00", "02:00")),
        ("America/New_York", at(2017, 3, 12, 2, 15), ("02:00", "03:00")),
        # Half an hour, not one: Lord Howe Island.
        ("Australia/Lord_Howe", at(2017, 10, 1, 2, 15), ("02:00", "02:30")),
    ],
)
def test_a_time_the_clocks_skip_is_refused_saying_the_jump(zone, wall, jump):
    with pytest.raises(NonexistentLocalTime) as refused:
        to_utc(wall, zone, place="here")
    assert f"the clocks went forward from {jump[0]} to {jump[1]}" in str(refused.value)
    # Even an offset given does not make it a time there.
    with pytest.raises(NonexistentLocalTime):
        to_utc(wall, zone, place="here", offset=datetime.timedelta(0))


def test_a_time_shown_twice_needs_its_offset():
    wall = at(2017, 10, 29, 1, 30)
    with pytest.raises(AmbiguousLocalTime) as asked:
        to_utc(wall, "Europe/London", place="London (LHR)")
    assert asked.value.written_with_offsets() == [
        "2017-10-29 01:30 +01:00",
        "2017-10-29 01:30 +00:00",
    ]
    first = to_utc(wall, "Europe/London", place="x", offset=parse_offset("+01:00"))
    second = to_utc(wall, "Europe/London", place="x", offset=parse_offset("Z"))
    assert (first, second) == (utc(2017, 10, 29, 0, 30), utc(2017, 10, 29, 1, 30))
    assert is_ambiguous(second, zoneinfo.ZoneInfo("Europe/London"))
    assert not is_ambiguous(utc(2017, 10, 29, 3, 0), zoneinfo.ZoneInfo("Europe/London"))


def test_an_offset_the_place_does_not_have_is_refused():
    with pytest.raises(OffsetNotAtPlace) as refused:
        to_utc(
            at(2017, 6, 13, 9, 30),
            "Asia/Ashgabat",
            place="Ashgabat (ASB)",
            offset=parse_offset("+03:00"),
        )
    assert str(refused.value) == (
        "2017-06-13 09:30 +03:00 is not a time at Ashgabat (ASB): there the clocks "
        "are at UTC+05:00 then."
    )


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("+05:00", 300), ("+0530", 330), ("-03:30", -210), ("UTC+01:00", 60), ("Z", 0)],
)
def test_offsets_read_and_written(text, minutes):
    offset = parse_offset(text)
    assert offset == datetime.timedelta(minutes=minutes)
    assert parse_offset(format_offset(offset)) == offset


@pytest.mark.parametrize("text", ["+15:00", "+05:60", "5", "east"])
def test_an_offset_that_is_none_is_refused_by_name(text):
    with pytest.raises(ValueError, match="is not an offset from UTC"):
        parse_offset(text)


def test_messages_in_russian():
    with translation.override("ru"), pytest.raises(AmbiguousLocalTime) as asked:
        to_utc(at(2017, 10, 29, 1, 30), "Europe/London", place="Лондон")
    assert str(asked.value) == (
        "Время 2017-10-29 01:30 в пункте Лондон наступает дважды, когда часы "
        "переводят назад: сначала по UTC+01:00, затем снова по UTC+00:00."
    )
