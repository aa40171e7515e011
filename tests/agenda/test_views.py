"""The programme on participant pages, in the calendar file and in public."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from agenda.panels import SESSIONS_IN_FULL
from agenda.services import add_speaking_slot, save_session
from delegations.services import issue_itinerary_link
from tests.agenda.factories import RoomFactory, SessionFactory, at
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


def programme_html(client, token: str, lang: str = "en") -> str:
    response = client.get(f"/l/{token}/?lang={lang}")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.find('id="programme"')
    return html[start:] if start >= 0 else ""


def session_ids(html: str) -> list[str]:
    return re.findall(r'id="session-(\d+)"', html)


def test_dinner_is_hidden_from_a_delegate_not_invited(programme_world):
    w = programme_world
    html = programme_html(w.clients["delegate_b"], w.token("delegate_b"))
    assert session_ids(html) == [str(w.session.pk)]


def test_dinner_is_shown_to_a_head_of_delegation(programme_world):
    w = programme_world
    html = programme_html(w.clients["delegate_a"], w.token("delegate_a"))
    assert session_ids(html) == [str(w.session.pk), str(w.dinner.pk)]


def test_focal_point_sees_the_dinner_of_their_head(programme_world):
    w = programme_world
    html = programme_html(w.clients["anonymous"], w.links["focal_point"].token)
    assert session_ids(html) == [str(w.session.pk), str(w.dinner.pk)]


def test_other_focal_point_sees_dinner_only_through_a_head(programme_world):
    w = programme_world
    html = programme_html(w.clients["other_focal_point"], w.token("other_focal_point"))
    # The other delegation's only delegate is a head (the factory's default role).
    assert session_ids(html) == [str(w.session.pk), str(w.dinner.pk)]


def test_chosen_delegations_scope_limits_the_heads(programme_world):
    w = programme_world
    save_session(w.dinner, invited_delegations=[w.delegation])
    html = programme_html(w.clients["other_focal_point"], w.token("other_focal_point"))
    assert session_ids(html) == [str(w.session.pk)]


def test_chosen_scope_shows_a_session_to_every_member_of_the_delegation(
    programme_world,
):
    w = programme_world
    briefing = save_session(
        SessionFactory.build(
            meeting=w.meeting,
            room=RoomFactory(meeting=w.meeting),
            start_at=at(15),
            end_at=at(16),
            invitation="chosen",
        ),
        invited_delegations=[w.other_delegation],
    )
    seen_by_b = programme_html(w.clients["delegate_b"], w.token("delegate_b"))
    seen_by_other = programme_html(
        w.clients["other_focal_point"], w.token("other_focal_point")
    )
    assert str(briefing.pk) not in session_ids(seen_by_b)
    assert str(briefing.pk) in session_ids(seen_by_other)


def test_own_session_and_slot_are_highlighted(programme_world):
    w = programme_world
    html = programme_html(w.clients["delegate_a"], w.token("delegate_a"))
    slot = w.session.slots.get()
    assert f'class="session highlight" id="session-{w.session.pk}"' in html
    assert f'<tr id="slot-{slot.pk}" class="highlight">' in html
    other = programme_html(w.clients["other_focal_point"], w.token("other_focal_point"))
    assert f'<tr id="slot-{slot.pk}">' in other
    assert f'class="session" id="session-{w.session.pk}"' in other


def test_programme_is_in_the_page_language(programme_world):
    w = programme_world
    html = programme_html(w.clients["delegate_a"], w.token("delegate_a"), "ru")
    assert w.session.title_ru in html
    assert w.delegate_a.name_cyrillic in html
    assert "Программа" in html
    assert "13 июня 2017" in html


def test_programme_shows_times_in_the_meeting_time_zone(programme_world):
    w = programme_world
    html = programme_html(w.clients["delegate_a"], w.token("delegate_a"))
    # Stored 05:00 UTC; Ashgabat is UTC+5.
    assert "10:00–11:00" in html
    assert "10:00–10:15" in html  # the speaker's running clock


def test_panel_query_count_does_not_grow_with_the_programme(programme_world, settings):
    w = programme_world
    client, token = w.clients["anonymous"], w.links["focal_point"].token
    settings.PAGE_CACHE_SECONDS = 0  # each request renders (none is kept)
    client.get(f"/l/{token}/")  # the first opening is written once
    with CaptureQueriesContext(connection) as before:
        client.get(f"/l/{token}/")
    for hour in (13, 14, 15):
        session = SessionFactory(
            meeting=w.meeting,
            room=RoomFactory(meeting=w.meeting),
            start_at=at(hour),
            end_at=at(hour + 1),
        )
        for _ in range(3):
            add_speaking_slot(
                session,
                speaker=DelegateFactory(delegation=w.delegation),
                minutes=5,
            )
        session.chairs.add(w.delegate_b)
        session.hosts.add(w.delegate_a)
    with CaptureQueriesContext(connection) as after:
        response = client.get(f"/l/{token}/")
    assert len(session_ids(response.content.decode())) == 5
    assert len(after) == len(before)


def test_calendar_has_each_session_in_the_meeting_time_zone(programme_world):
    w = programme_world
    response = w.clients["delegate_a"].get(f"/l/{w.token('delegate_a')}/calendar.ics")
    calendar = Calendar.from_ical(response.content)
    events = {
        str(e["uid"]): e for e in calendar.walk("VEVENT") if "session" in e["uid"]
    }
    assert sorted(events) == sorted(
        [f"session-{w.session.pk}@dialogue", f"session-{w.dinner.pk}@dialogue"]
    )
    event = events[f"session-{w.session.pk}@dialogue"]
    assert event["dtstart"].params["TZID"] == "Asia/Ashgabat"
    assert event["dtstart"].dt.replace(tzinfo=None) == datetime.datetime(
        2017, 6, 13, 10, 0
    )
    assert event["dtstart"].dt.astimezone(datetime.UTC) == w.session.start_at
    assert "TZID:Asia/Ashgabat" in response.content.decode()


def test_calendar_leaves_out_the_dinner_for_a_delegate_not_invited(programme_world):
    w = programme_world
    response = w.clients["delegate_b"].get(f"/l/{w.token('delegate_b')}/calendar.ics")
    uids = [str(e["uid"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert f"session-{w.dinner.pk}@dialogue" not in uids
    assert f"session-{w.session.pk}@dialogue" in uids


def test_public_programme_has_no_personal_data(programme_world, client):
    w = programme_world
    w.meeting.publish_programme = True
    w.meeting.save()
    w.session.chairs.add(w.delegate_b)
    html = client.get(f"/programme/{w.meeting.slug}/").content.decode()
    assert w.session.title_en in html
    assert w.delegate_a.position_en in html
    for private in (
        w.delegate_a.name_latin,
        w.delegate_a.email,
        w.delegate_a.phone,
        w.delegate_b.name_latin,
        w.delegate_b.email,
    ):
        assert private not in html


def test_unpublished_programme_is_the_same_404_as_unknown(programme_world, client):
    w = programme_world
    hidden = client.get(f"/programme/{w.meeting.slug}/")
    unknown = client.get("/programme/no-such-meeting/")
    assert (hidden.status_code, unknown.status_code) == (404, 404)
    assert hidden.content == unknown.content


def test_publish_toggle_shows_then_hides_the_programme(programme_world, client):
    w = programme_world
    url = f"/programme/{w.meeting.slug}/"
    w.meeting.publish_programme = True
    w.meeting.save()
    assert client.get(url).status_code == 200
    w.meeting.publish_programme = False
    w.meeting.save()
    assert client.get(url).status_code == 404


def test_public_programme_in_russian(programme_world, client):
    w = programme_world
    html = client.get(f"/programme/{w.published.slug}/?lang=ru").content.decode()
    assert "Программа" in html
    assert w.published.title_ru in html


def test_link_for_delegate_without_programme_shows_no_panel(world):
    html = programme_html(world.clients["delegate_a"], world.token("delegate_a"))
    assert html == ""


def test_issue_link_for_new_delegate_sees_all_delegations_sessions(programme_world):
    w = programme_world
    newcomer = DelegateFactory(delegation=w.delegation, role="adviser")
    link = issue_itinerary_link(newcomer)
    html = programme_html(w.clients["anonymous"], link.token)
    assert session_ids(html) == [str(w.session.pk)]


def lengthen_programme(w, extra: int) -> list:
    """Add `extra` sessions open to all, each with a speaker of the other
    delegation; return them."""
    speaker = DelegateFactory(delegation=w.other_delegation, name_latin="Outside Voice")
    sessions = []
    for index in range(extra):
        session = SessionFactory(
            meeting=w.meeting,
            room=RoomFactory(meeting=w.meeting),
            start_at=at(12) + datetime.timedelta(minutes=5 * index),
            end_at=at(12) + datetime.timedelta(minutes=5 * index + 5),
        )
        add_speaking_slot(session, speaker=speaker, minutes=5)
        sessions.append(session)
    return sessions


def test_a_long_programme_lists_speakers_only_where_the_audience_takes_part(
    programme_world,
):
    w = programme_world
    others = lengthen_programme(w, SESSIONS_IN_FULL)  # with the plenary: one over
    html = programme_html(w.clients["delegate_a"], w.token("delegate_a"))
    # Every invited session is there, in programme order.
    assert len(session_ids(html)) == SESSIONS_IN_FULL + 2  # and the dinner
    assert f"The programme has {SESSIONS_IN_FULL + 2} sessions" in html
    # Delegate A's own session in full, speakers and all; the others a line.
    own = html[html.index(f'id="session-{w.session.pk}"') :]
    assert "<table" in own[: own.index("</article>")]
    line = html[html.index(f'id="session-{others[0].pk}"') :]
    line = line[: line.index("</article>")]
    assert 'class="session session-line"' in html
    assert "1 speaker" in line and "<table" not in line
    assert "Outside Voice" not in html
    russian = programme_html(w.clients["delegate_a"], w.token("delegate_a"), "ru")
    assert "1 выступающий" in russian and "В программе 42 заседания" in russian


def test_a_short_programme_lists_every_speaker(programme_world):
    w = programme_world
    lengthen_programme(w, SESSIONS_IN_FULL - 2)  # 40 with the plenary and dinner
    html = programme_html(w.clients["delegate_a"], w.token("delegate_a"))
    assert len(session_ids(html)) == SESSIONS_IN_FULL
    assert "session-line" not in html and "The programme has" not in html
    assert html.count("Outside Voice") == SESSIONS_IN_FULL - 2


def test_a_long_programme_costs_the_same_queries_and_keeps_the_calendar_whole(
    programme_world, settings
):
    w = programme_world
    client, token = w.clients["anonymous"], w.links["focal_point"].token
    settings.PAGE_CACHE_SECONDS = 0  # each request renders (none is kept)
    client.get(f"/l/{token}/")  # the first opening is written once
    with CaptureQueriesContext(connection) as short:
        client.get(f"/l/{token}/")
    others = lengthen_programme(w, SESSIONS_IN_FULL + 5)
    with CaptureQueriesContext(connection) as long:
        response = client.get(f"/l/{token}/")
    assert "session-line" in response.content.decode()
    assert len(long) == len(short)
    calendar = Calendar.from_ical(client.get(f"/l/{token}/calendar.ics").content)
    uids = {str(e["uid"]) for e in calendar.walk("VEVENT")}
    assert {f"session-{s.pk}@dialogue" for s in others} <= uids
