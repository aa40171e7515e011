"""The programme's rules, through the services and straight at the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from agenda.models import Session, SpeakingSlot
from agenda.selectors import minutes_over, session_warnings
from agenda.services import (
    add_speaking_slot,
    check_session,
    move_slot,
    remove_speaking_slot,
    reorder_slots,
    save_session,
    save_speaking_slot,
)
from tests.agenda.factories import RoomFactory, SessionFactory, at
from tests.factories import DelegateFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def positions(session) -> list[tuple[str, int]]:
    return list(
        session.slots.order_by("position").values_list(
            "speaker__name_latin", "position"
        )
    )


def test_save_session_refuses_room_overlap_naming_the_other_session(meeting):
    hall = RoomFactory(meeting=meeting, name_en="Conference Hall")
    SessionFactory(meeting=meeting, room=hall, title_en="Opening")
    clash = SessionFactory.build(
        meeting=meeting, room=hall, start_at=at(10, 30), end_at=at(12)
    )
    with pytest.raises(ValidationError) as caught:
        save_session(clash)
    assert caught.value.message_dict["room"] == [
        "Conference Hall, Yyldyz Hotel is already taken at that time by "
        "“Opening (13 June 2017, 10:00)”."
    ]
    assert Session.objects.count() == 1


def test_save_session_allows_back_to_back_sessions_in_one_room(meeting):
    hall = RoomFactory(meeting=meeting)
    SessionFactory(meeting=meeting, room=hall)
    after = save_session(
        SessionFactory.build(meeting=meeting, room=hall, start_at=at(11), end_at=at(12))
    )
    assert after.pk is not None


def test_database_refuses_room_overlap(meeting):
    hall = RoomFactory(meeting=meeting)
    SessionFactory(meeting=meeting, room=hall)
    with pytest.raises(IntegrityError, match="room overlap"), transaction.atomic():
        SessionFactory(meeting=meeting, room=hall, start_at=at(10, 59), end_at=at(12))


def test_save_session_refuses_speaker_in_overlapping_session(meeting, two_speakers):
    first = two_speakers["first"]
    plenary = SessionFactory(meeting=meeting, room=two_speakers["hall"])
    add_speaking_slot(plenary, speaker=first, minutes=10)
    side_event = SessionFactory(
        meeting=meeting, room=RoomFactory(meeting=meeting), title_en="Side event"
    )
    with pytest.raises(ValidationError) as caught:
        add_speaking_slot(side_event, speaker=first, minutes=10)
    assert caught.value.messages == [
        f"{first.name_latin} already speaks in “{plenary}” at an overlapping time."
    ]
    assert side_event.slots.count() == 0


def test_save_session_refuses_moving_a_speaker_into_an_overlap(meeting, two_speakers):
    first = two_speakers["first"]
    morning = SessionFactory(meeting=meeting, room=two_speakers["hall"])
    add_speaking_slot(morning, speaker=first, minutes=10)
    later = SessionFactory(
        meeting=meeting,
        room=RoomFactory(meeting=meeting),
        start_at=at(12),
        end_at=at(13),
    )
    add_speaking_slot(later, speaker=first, minutes=10)
    later.start_at = at(10, 30)
    with pytest.raises(ValidationError, match="already speaks"):
        save_session(later)


def test_speaker_of_another_meeting_is_refused(meeting):
    session = SessionFactory(meeting=meeting)
    stranger = DelegateFactory(delegation__meeting=MeetingFactory())
    with pytest.raises(ValidationError) as caught:
        add_speaking_slot(session, speaker=stranger, minutes=5)
    assert caught.value.message_dict["speaker"] == [
        f"{stranger.name_latin} is a delegate of another meeting, "
        f"not of “{session.title_en}”."
    ]


def test_database_refuses_speaker_of_another_meeting(meeting):
    session = SessionFactory(meeting=meeting)
    stranger = DelegateFactory(delegation__meeting=MeetingFactory())
    refused = pytest.raises(IntegrityError, match="speaker of another meeting")
    with refused, transaction.atomic():
        SpeakingSlot.objects.create(
            session=session, position=1, speaker=stranger, minutes=5
        )


def test_minutes_over_says_by_how_much(meeting, two_speakers):
    session = SessionFactory(meeting=meeting, room=two_speakers["hall"])  # 60 min
    add_speaking_slot(session, speaker=two_speakers["first"], minutes=45)
    add_speaking_slot(session, speaker=two_speakers["second"], minutes=20)
    assert minutes_over(session) == 5
    assert session_warnings(session) == [
        f"The speaking slots take 65 minutes but “{session.title_en}” lasts "
        "60 minutes: 5 minutes over."
    ]


def test_minutes_that_fit_give_no_warning(meeting, two_speakers):
    session = SessionFactory(meeting=meeting, room=two_speakers["hall"])
    add_speaking_slot(session, speaker=two_speakers["first"], minutes=60)
    assert minutes_over(session) == 0
    assert session_warnings(session) == []


def test_reorder_slots_numbers_one_to_n(meeting):
    session = SessionFactory(meeting=meeting)
    people = [DelegateFactory(delegation__meeting=meeting) for _ in range(3)]
    a, b, c = (add_speaking_slot(session, speaker=p, minutes=5) for p in people)
    reorder_slots(session, slot_ids=[c.pk, a.pk, b.pk])
    assert positions(session) == [
        (people[2].name_latin, 1),
        (people[0].name_latin, 2),
        (people[1].name_latin, 3),
    ]


def test_reorder_slots_refuses_a_partial_list(meeting, two_speakers):
    session = SessionFactory(meeting=meeting, room=two_speakers["hall"])
    a = add_speaking_slot(session, speaker=two_speakers["first"], minutes=5)
    add_speaking_slot(session, speaker=two_speakers["second"], minutes=5)
    with pytest.raises(ValidationError, match="exactly once"):
        reorder_slots(session, slot_ids=[a.pk, a.pk])


def test_removing_a_slot_closes_the_gap(meeting):
    session = SessionFactory(meeting=meeting)
    people = [DelegateFactory(delegation__meeting=meeting) for _ in range(3)]
    slots = [add_speaking_slot(session, speaker=p, minutes=5) for p in people]
    remove_speaking_slot(slots[0])
    assert positions(session) == [(people[1].name_latin, 1), (people[2].name_latin, 2)]


def test_add_speaking_slot_at_a_position_shifts_the_rest(meeting):
    session = SessionFactory(meeting=meeting)
    people = [DelegateFactory(delegation__meeting=meeting) for _ in range(3)]
    add_speaking_slot(session, speaker=people[0], minutes=5)
    add_speaking_slot(session, speaker=people[1], minutes=5)
    inserted = add_speaking_slot(session, speaker=people[2], minutes=5, position=1)
    assert inserted.position == 1
    assert [name for name, _pos in positions(session)] == [
        people[2].name_latin,
        people[0].name_latin,
        people[1].name_latin,
    ]


def test_move_slot_stops_at_the_ends(meeting, two_speakers):
    session = SessionFactory(meeting=meeting, room=two_speakers["hall"])
    a = add_speaking_slot(session, speaker=two_speakers["first"], minutes=5)
    add_speaking_slot(session, speaker=two_speakers["second"], minutes=5)
    move_slot(a, by=-1)
    assert positions(session)[0] == (two_speakers["first"].name_latin, 1)
    move_slot(a, by=1)
    assert positions(session)[1] == (two_speakers["first"].name_latin, 2)


def test_database_keeps_positions_unique(meeting, two_speakers):
    session = SessionFactory(meeting=meeting, room=two_speakers["hall"])
    add_speaking_slot(session, speaker=two_speakers["first"], minutes=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeakingSlot.objects.create(
            session=session, position=1, speaker=two_speakers["second"], minutes=5
        )


def test_save_speaking_slot_keeps_the_stored_position(meeting, two_speakers):
    session = SessionFactory(meeting=meeting, room=two_speakers["hall"])
    a = add_speaking_slot(session, speaker=two_speakers["first"], minutes=5)
    add_speaking_slot(session, speaker=two_speakers["second"], minutes=5)
    stale = SpeakingSlot.objects.get(pk=a.pk)
    reorder_slots(
        session,
        slot_ids=list(reversed(list(session.slots.values_list("pk", flat=True)))),
    )
    stale.minutes = 7
    save_speaking_slot(stale)
    assert stale.position == 2
    assert SpeakingSlot.objects.get(pk=a.pk).minutes == 7


def test_deleting_a_speaking_delegate_is_refused_naming_the_session(meeting):
    session = SessionFactory(meeting=meeting, title_en="Thematic session")
    speaker = DelegateFactory(delegation__meeting=meeting, name_latin="Nurlan Sadykov")
    add_speaking_slot(session, speaker=speaker, minutes=15)
    with pytest.raises(RestrictedError) as caught:
        speaker.delete()
    assert [str(obj) for obj in caught.value.restricted_objects] == [
        "1. Nurlan Sadykov in the session “Thematic session (13 June 2017, 10:00)”"
    ]


def test_deleting_a_meeting_removes_its_programme(meeting):
    session = SessionFactory(meeting=meeting)
    add_speaking_slot(
        session, speaker=DelegateFactory(delegation__meeting=meeting), minutes=5
    )
    meeting.delete()
    assert (Session.objects.count(), SpeakingSlot.objects.count()) == (0, 0)


def test_save_session_refuses_chosen_scope_without_delegations(meeting):
    session = SessionFactory.build(meeting=meeting, invitation="chosen")
    session.room = RoomFactory(meeting=meeting)
    with pytest.raises(ValidationError) as caught:
        save_session(session, invited_delegations=[])
    assert caught.value.message_dict == {
        "invited_delegations": ["Choose the delegations invited."]
    }


def test_save_session_refuses_a_chair_of_another_meeting(meeting):
    session = SessionFactory.build(meeting=meeting, room=RoomFactory(meeting=meeting))
    stranger = DelegateFactory(delegation__meeting=MeetingFactory())
    with pytest.raises(ValidationError) as caught:
        save_session(session, chairs=[stranger])
    assert caught.value.message_dict == {
        "chairs": [f"Not delegates of this meeting: {stranger.name_latin}."]
    }


def test_save_session_refuses_end_before_start_at_the_end(meeting):
    session = SessionFactory.build(
        meeting=meeting,
        room=RoomFactory(meeting=meeting),
        start_at=at(11),
        end_at=at(10),
    )
    with pytest.raises(ValidationError) as caught:
        save_session(session)
    assert caught.value.message_dict == {
        "end_at": ["A session must end after it starts."]
    }
    assert Session.objects.count() == 0


def test_check_session_names_every_broken_rule_by_field(meeting):
    taken = SessionFactory(meeting=meeting)
    stranger = DelegateFactory(delegation__meeting=MeetingFactory())
    session = SessionFactory.build(
        meeting=meeting, room=taken.room, invitation="chosen"
    )
    with pytest.raises(ValidationError) as caught:
        check_session(session, chairs=[stranger], hosts=[], invited_delegations=[])
    assert caught.value.message_dict == {
        "room": [f"{taken.room} is already taken at that time by “{taken}”."],
        "chairs": [f"Not delegates of this meeting: {stranger.name_latin}."],
        "invited_delegations": ["Choose the delegations invited."],
    }
