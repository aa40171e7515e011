"""The secretariat's admin: sessions with their slots inline, the printable
speakers' list, the day view, and a refused delete of a speaking delegate."""

import datetime

import pytest
from django.contrib.messages import get_messages

from agenda.models import Session, SpeakingSlot
from agenda.services import add_speaking_slot
from tests.agenda.factories import RoomFactory, SessionFactory
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(programme_world):
    return programme_world.clients["secretariat"]


def session_form(session, slots=(), **changes) -> dict:
    """Return the POST of the session's change form, slots as (slot|None, dict)."""
    local = session.meeting.tzinfo
    data = {
        "meeting": session.meeting_id,
        "kind": session.kind,
        "title_en": session.title_en,
        "title_ru": session.title_ru,
        "description_en": "",
        "description_ru": "",
        "start_local": f"{session.start_at.astimezone(local):%Y-%m-%dT%H:%M}",
        "end_local": f"{session.end_at.astimezone(local):%Y-%m-%dT%H:%M}",
        "room": session.room_id,
        "format": session.format,
        "interpretation": session.interpretation,
        "invitation": session.invitation,
        "slots-TOTAL_FORMS": len(slots),
        "slots-INITIAL_FORMS": sum(1 for slot, _ in slots if slot is not None),
        "slots-MIN_NUM_FORMS": 0,
        "slots-MAX_NUM_FORMS": 1000,
    }
    for index, (slot, values) in enumerate(slots):
        row = {
            "id": slot.pk if slot else "",
            "session": session.pk or "",
            "order": slot.position if slot else "",
            "speaker": slot.speaker_id if slot else "",
            "subject_en": slot.subject_en if slot else "",
            "subject_ru": slot.subject_ru if slot else "",
            "minutes": slot.minutes if slot else "",
            **values,
        }
        data.update({f"slots-{index}-{key}": value for key, value in row.items()})
    data.update(changes)
    return data


def change_url(session) -> str:
    return f"/admin/agenda/session/{session.pk}/change/"


def test_admin_enters_times_in_the_meeting_time_zone(secretariat, programme_world):
    w = programme_world
    response = secretariat.post(
        "/admin/agenda/session/add/",
        session_form(
            SessionFactory.build(
                meeting=w.meeting, room=RoomFactory(meeting=w.meeting)
            ),
            start_local="2017-06-13T14:30",
            end_local="2017-06-13T15:15",
            title_en="Press encounter",
        ),
    )
    assert response.status_code == 302
    created = Session.objects.get(title_en="Press encounter")
    assert created.start_at == datetime.datetime(
        2017, 6, 13, 9, 30, tzinfo=datetime.UTC
    )
    assert created.end_at == datetime.datetime(2017, 6, 13, 10, 15, tzinfo=datetime.UTC)
    page = secretariat.get(change_url(created)).content.decode()
    assert 'value="2017-06-13T14:30"' in page


def test_admin_shows_room_overlap_on_the_room_field(secretariat, programme_world):
    w = programme_world
    clash = SessionFactory.build(meeting=w.meeting, room=w.session.room)
    response = secretariat.post(
        "/admin/agenda/session/add/",
        session_form(clash, start_local="2017-06-13T10:30"),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["room"] == [
        f"{w.session.room} is already taken at that time by “{w.session}”."
    ]


def test_admin_shows_speaker_overlap_on_the_row(secretariat, programme_world):
    w = programme_world
    parallel = SessionFactory(
        meeting=w.meeting, room=RoomFactory(meeting=w.meeting), title_en="Parallel"
    )
    response = secretariat.post(
        change_url(parallel),
        session_form(parallel, [(None, {"speaker": w.delegate_a.pk, "minutes": 5})]),
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors["speaker"] == [
        f"{w.delegate_a.name_latin} already speaks in “{w.session}” at an "
        "overlapping time."
    ]
    assert parallel.slots.count() == 0


def test_admin_warns_when_minutes_overrun(secretariat, programme_world):
    w = programme_world
    slot = w.session.slots.get()
    response = secretariat.post(
        change_url(w.session),
        session_form(
            w.session,
            [
                (slot, {}),
                (None, {"speaker": w.delegate_b.pk, "minutes": 50}),
            ],
        ),
    )
    assert response.status_code == 302
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert (
        f"The speaking slots take 65 minutes but “{w.session.title_en}” lasts "
        "60 minutes: 5 minutes over."
    ) in warnings
    assert w.session.slots.count() == 2


def test_admin_inline_order_swaps_without_gaps(secretariat, programme_world):
    w = programme_world
    add_speaking_slot(w.session, speaker=w.delegate_b, minutes=5)
    first, second = w.session.slots.order_by("position")
    response = secretariat.post(
        change_url(w.session),
        session_form(w.session, [(first, {"order": 7}), (second, {"order": 3})]),
    )
    assert response.status_code == 302
    assert list(
        w.session.slots.order_by("position").values_list("speaker_id", "position")
    ) == [(w.delegate_b.pk, 1), (w.delegate_a.pk, 2)]


def test_admin_inline_delete_and_add_leave_no_gap(secretariat, programme_world):
    w = programme_world
    add_speaking_slot(w.session, speaker=w.delegate_b, minutes=5)
    first, second = w.session.slots.order_by("position")
    third = DelegateFactory(delegation=w.delegation, role="adviser")
    response = secretariat.post(
        change_url(w.session),
        session_form(
            w.session,
            [
                (first, {"DELETE": "on"}),
                (second, {"minutes": 9}),
                (None, {"speaker": third.pk, "minutes": 4}),
            ],
        ),
    )
    assert response.status_code == 302
    assert list(
        w.session.slots.order_by("position").values_list(
            "speaker_id", "position", "minutes"
        )
    ) == [(w.delegate_b.pk, 1, 9), (third.pk, 2, 4)]


def test_admin_move_buttons_reorder(secretariat, programme_world):
    w = programme_world
    second = add_speaking_slot(w.session, speaker=w.delegate_b, minutes=5)
    slots = list(w.session.slots.order_by("position"))
    data = session_form(w.session, [(s, {}) for s in slots], _move=f"{second.pk}:up")
    response = secretariat.post(change_url(w.session), data)
    assert response.status_code == 302
    assert SpeakingSlot.objects.get(pk=second.pk).position == 1


def test_speakers_list_has_running_clock_in_both_languages(
    secretariat, programme_world
):
    w = programme_world
    add_speaking_slot(
        w.session,
        speaker=w.delegate_b,
        minutes=20,
        subject_en="Phases one and two",
        subject_ru="Первый и второй этапы",
    )
    url = f"/admin/agenda/session/{w.session.pk}/speakers/"
    english = secretariat.get(url + "?lang=en").content.decode()
    russian = secretariat.get(url + "?lang=ru").content.decode()
    assert "10:00–10:15" in english
    assert "10:15–10:35" in english
    assert "Phases one and two" in english
    assert w.delegate_b.name_latin in english
    assert "Первый и второй этапы" in russian
    assert w.delegate_b.name_cyrillic in russian
    assert w.delegation.name_ru in russian
    assert "Список ораторов" in russian
    assert "@media print" in russian


def test_day_view_lists_the_days_sessions_in_order(secretariat, programme_world):
    w = programme_world
    response = secretariat.get(
        f"/admin/agenda/session/day/?meeting={w.meeting.pk}&day=2017-06-13"
    )
    html = response.content.decode()
    assert html.index(w.session.title_en) < html.index(w.dinner.title_en)
    assert "19:00–21:00" in html


def test_day_view_of_a_day_without_sessions(secretariat, programme_world):
    w = programme_world
    response = secretariat.get(
        f"/admin/agenda/session/day/?meeting={w.meeting.pk}&day=2017-06-14"
    )
    assert response.status_code == 200
    assert "No sessions on this day." in response.content.decode()


def test_admin_delete_page_of_a_speaking_delegate_names_the_session(
    secretariat, programme_world
):
    w = programme_world
    url = f"/admin/delegations/delegate/{w.delegate_a.pk}/delete/"
    page = secretariat.get(url).content.decode()
    assert "protected related objects" in page
    assert f"in the session “{w.session}”" in page
    response = secretariat.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert type(w.delegate_a).objects.filter(pk=w.delegate_a.pk).exists()


def test_admin_session_page_query_count_constant_in_slots(secretariat, programme_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meeting = programme_world.meeting
    one = SessionFactory(meeting=meeting, start_at=at_hour(13), end_at=at_hour(14))
    many = SessionFactory(meeting=meeting, start_at=at_hour(15), end_at=at_hour(17))
    delegation = programme_world.delegation
    add_speaking_slot(one, speaker=DelegateFactory(delegation=delegation), minutes=5)
    for _ in range(8):
        speaker = DelegateFactory(delegation=delegation)
        add_speaking_slot(many, speaker=speaker, minutes=5)
    counts = []
    for session in (one, many):
        with CaptureQueriesContext(connection) as queries:
            assert secretariat.get(change_url(session)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def at_hour(hour: int) -> datetime.datetime:
    from tests.agenda.factories import at

    return at(hour)
