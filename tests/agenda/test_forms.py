"""The session form asks agenda.services and shows each refusal on its field,
keeping what was typed; a local time the clocks skip is refused, one they show
twice is asked back."""

import datetime

import pytest
from django.forms import inlineformset_factory

from agenda.forms import SessionAdminForm, SpeakingSlotFormSet, SpeakingSlotInlineForm
from agenda.models import Session, SpeakingSlot
from agenda.services import add_speaking_slot
from tests.agenda.factories import RoomFactory, SessionFactory
from tests.factories import DelegateFactory, DelegationFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def session_data(meeting, room, **changes) -> dict:
    return {
        "meeting": meeting.pk,
        "kind": "thematic",
        "title_en": "Press encounter",
        "title_ru": "Встреча с прессой",
        "start_local": "2017-06-13T14:30",
        "end_local": "2017-06-13T15:15",
        "room": room.pk,
        "format": "plenary",
        "interpretation": "en_ru",
        "invitation": "all",
        **changes,
    }


def test_session_form_shows_end_before_start_at_the_end(meeting):
    form = SessionAdminForm(
        data=session_data(
            meeting, RoomFactory(meeting=meeting), end_local="2017-06-13T14:00"
        )
    )
    assert form.errors == {"end_local": ["A session must end after it starts."]}
    assert form["end_local"].value() == "2017-06-13T14:00"


def test_session_form_shows_a_room_taken_and_keeps_the_times(meeting):
    taken = SessionFactory(meeting=meeting)
    form = SessionAdminForm(
        data=session_data(meeting, taken.room, start_local="2017-06-13T10:30")
    )
    assert form.errors == {
        "room": [f"{taken.room} is already taken at that time by “{taken}”."]
    }
    assert form["start_local"].value() == "2017-06-13T10:30"


def test_session_form_shows_a_room_of_another_meeting(meeting):
    form = SessionAdminForm(data=session_data(meeting, RoomFactory()))
    assert form.errors == {"room": ["This room belongs to another meeting."]}


def test_session_form_shows_chairs_hosts_and_invitation_at_once(meeting):
    stranger = DelegateFactory(delegation__meeting=MeetingFactory())
    form = SessionAdminForm(
        data=session_data(
            meeting,
            RoomFactory(meeting=meeting),
            chairs=[stranger.pk],
            hosts=[stranger.pk],
            invitation="chosen",
        )
    )
    assert form.errors == {
        "chairs": [f"Not delegates of this meeting: {stranger.name_latin}."],
        "hosts": [f"Not delegates of this meeting: {stranger.name_latin}."],
        "invited_delegations": ["Choose the delegations invited."],
    }


def test_session_form_shows_invited_delegations_of_another_meeting(meeting):
    form = SessionAdminForm(
        data=session_data(
            meeting,
            RoomFactory(meeting=meeting),
            invitation="chosen",
            invited_delegations=[DelegationFactory().pk],
        )
    )
    assert form.errors == {
        "invited_delegations": ["Choose delegations of this meeting."]
    }


SlotFormSet = inlineformset_factory(
    Session,
    SpeakingSlot,
    form=SpeakingSlotInlineForm,
    formset=SpeakingSlotFormSet,
    fields=["order", "speaker", "subject_en", "subject_ru", "minutes"],
    extra=0,
)


def slot_data(*rows) -> dict:
    data = {"slots-TOTAL_FORMS": str(len(rows)), "slots-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"slots-{i}-{k}": v for k, v in row.items()})
    return data


def test_slot_formset_shows_each_overlap_on_the_speakers_rows(meeting, two_speakers):
    first, second = two_speakers["first"], two_speakers["second"]
    plenary = SessionFactory(meeting=meeting, title_en="Plenary")
    add_speaking_slot(plenary, speaker=first, minutes=5)
    add_speaking_slot(plenary, speaker=second, minutes=5)
    parallel = SessionFactory(
        meeting=meeting, room=two_speakers["hall"], title_en="Parallel"
    )
    formset = SlotFormSet(
        data=slot_data(
            {"speaker": second.pk, "minutes": "5"},
            {"speaker": first.pk, "minutes": "7"},
        ),
        instance=parallel,
    )
    assert not formset.is_valid()
    assert [form.errors["speaker"] for form in formset.forms] == [
        [f"{second.name_latin} already speaks in “{plenary}” at an overlapping time."],
        [f"{first.name_latin} already speaks in “{plenary}” at an overlapping time."],
    ]
    assert formset.non_form_errors() == [
        "A speaker cannot be in two sessions at the same time."
    ]
    assert formset.forms[1]["minutes"].value() == "7"


def geneva_meeting():
    return MeetingFactory(
        time_zone="Europe/Zurich",
        city_en="Geneva",
        city_ru="Женева",
        start_date=datetime.date(2017, 10, 28),
        end_date=datetime.date(2017, 10, 29),
    )


def test_session_form_refuses_a_time_the_clocks_skip_and_asks_one_shown_twice():
    meeting = geneva_meeting()
    room = RoomFactory(meeting=meeting)
    skipped = SessionAdminForm(
        data=session_data(
            meeting,
            room,
            start_local="2017-03-26T02:30",
            end_local="2017-03-26T04:00",
        )
    )
    assert skipped.errors == {
        "start_local": [
            "2017-03-26 02:30 does not exist at Geneva: that night the clocks went "
            "forward from 02:00 to 03:00 (from UTC+01:00 to UTC+02:00). Check the "
            "time on the ticket or the programme."
        ]
    }
    twice = session_data(
        meeting, room, start_local="2017-10-29T02:30", end_local="2017-10-29T04:00"
    )
    asked = SessionAdminForm(data=twice)
    assert asked.errors["start_local"] == [
        "2017-10-29 02:30 happens twice at Geneva, when the clocks go back: first "
        "at UTC+02:00, then again at UTC+01:00. Choose which one beside the time."
    ]
    assert 'name="start_local_offset"' in str(asked["start_local"])
    answered = SessionAdminForm(data={**twice, "start_local_offset": "+01:00"})
    assert answered.errors == {}
    session = answered.save()
    assert session.start_at == datetime.datetime(
        2017, 10, 29, 1, 30, tzinfo=datetime.UTC
    )
    # The saved session shows its own offset chosen, and saves unchanged.
    shown = SessionAdminForm(instance=session)
    assert '<option value="+01:00" selected>' in str(shown["start_local"])
