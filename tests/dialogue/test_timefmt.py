"""One way to show dates and times: dialogue.timefmt in English and Russian."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from dialogue import timefmt

# 04:30 UTC on the second day of the 2017 meeting; New York is on summer time.
MOMENT = datetime.datetime(2017, 6, 13, 4, 30, tzinfo=datetime.UTC)
WINTER = datetime.datetime(2017, 1, 10, 23, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("zone", "city", "moment", "lang", "expected"),
    [
        (
            "Asia/Ashgabat",
            None,
            MOMENT,
            "en",
            "13 June 2017, 09:30 Ashgabat time (UTC+5)",
        ),
        (
            "Asia/Ashgabat",
            None,
            MOMENT,
            "ru",
            "13 июня 2017 г., 09:30 по ашхабадскому времени (UTC+5)",
        ),
        (
            "Asia/Samarkand",
            "Tashkent",
            MOMENT,
            "ru",
            "13 июня 2017 г., 09:30 по ташкентскому времени (UTC+5)",
        ),
        ("Asia/Kabul", None, MOMENT, "en", "13 June 2017, 09:00 Kabul time (UTC+4:30)"),
        (
            "America/New_York",
            None,
            MOMENT,
            "ru",
            "13 июня 2017 г., 00:30 по нью-йоркскому времени (UTC-4)",
        ),
        (
            "America/New_York",
            None,
            WINTER,
            "en",
            "10 January 2017, 18:05 New York time (UTC-5)",
        ),
        (
            "Europe/Zurich",
            "Geneva",
            WINTER,
            "ru",
            "11 января 2017 г., 00:05 по женевскому времени (UTC+1)",
        ),
        (
            "America/Caracas",
            None,
            MOMENT,
            "en",
            "13 June 2017, 00:30 local time (UTC-4)",
        ),
        (
            "America/Caracas",
            None,
            MOMENT,
            "ru",
            "13 июня 2017 г., 00:30 по местному времени (UTC-4)",
        ),
        ("UTC", None, MOMENT, "ru", "13 июня 2017 г., 04:30 UTC"),
    ],
)
def test_format_datetime_names_the_clock(zone, city, moment, lang, expected):
    assert timefmt.format_datetime(moment, zone, city=city, lang=lang) == expected


def test_zone_name_is_a_label_in_each_language():
    assert timefmt.zone_name("Asia/Ashgabat", MOMENT, lang="en") == (
        "Ashgabat time (UTC+5)"
    )
    assert timefmt.zone_name("Asia/Ashgabat", MOMENT, lang="ru") == (
        "ашхабадское время (UTC+5)"
    )
    assert timefmt.zone_name("Asia/Almaty", MOMENT, city="Astana", lang="ru") == (
        "астанинское время (UTC+6)"
    )
    assert timefmt.zone_name("Asia/Kolkata", MOMENT, lang="ru") == (
        "местное время (UTC+5:30)"
    )
    assert timefmt.zone_name("UTC", MOMENT, lang="en") == "UTC"


def test_format_date_in_each_language():
    day = datetime.date(2017, 6, 5)
    assert timefmt.format_date(day, "en") == "5 June 2017"
    assert timefmt.format_date(day, "ru") == "5 июня 2017 г."


def test_django_date_formats_follow_the_rule():
    # The admin's own columns print dates through these formats.
    template = Template("{{ moment }} · {{ moment|date }} · {{ moment|time }}")
    moment = datetime.datetime(2017, 6, 6, 13, 30)
    with translation.override("en"):
        assert template.render(Context({"moment": moment})) == (
            "6 June 2017, 13:30 · 6 June 2017 · 13:30"
        )
    with translation.override("ru"):
        assert template.render(Context({"moment": moment})) == (
            "6 июня 2017 г., 13:30 · 6 июня 2017 г. · 13:30"
        )


def test_template_filters_speak_the_active_language():
    template = Template(
        "{% load timefmt %}{{ moment|when:'Asia/Ashgabat' }} · {{ moment|clock:zone }}"
        " · {{ day|day }} · {{ 'TAS'|zone_at:moment }} · {{ moment|when_at:'JFK' }}"
    )
    context = {"moment": MOMENT, "zone": "Asia/Ashgabat", "day": MOMENT.date()}
    with translation.override("en"):
        assert template.render(Context(context)) == (
            "13 June 2017, 09:30 Ashgabat time (UTC+5) · 09:30 · 13 June 2017"
            " · Tashkent time (UTC+5) · 13 June 2017, 00:30 New York time (UTC-4)"
        )
    with translation.override("ru"):
        assert template.render(Context(context)) == (
            "13 июня 2017 г., 09:30 по ашхабадскому времени (UTC+5) · 09:30"
            " · 13 июня 2017 г. · ташкентское время (UTC+5)"
            " · 13 июня 2017 г., 00:30 по нью-йоркскому времени (UTC-4)"
        )
