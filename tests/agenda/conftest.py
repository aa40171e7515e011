import pytest

from agenda.services import add_speaking_slot, save_session
from tests.agenda.factories import RoomFactory, SessionFactory, at
from tests.factories import DelegateFactory, MeetingFactory


@pytest.fixture
def programme_world(world):
    """The access-matrix world with a programme and a published meeting.

    Delegate A speaks in the plenary; a dinner is for heads of delegation only
    (delegate A is a head, delegate B an adviser).
    """
    world.delegate_b.role = "adviser"
    world.delegate_b.save()
    hall = RoomFactory(meeting=world.meeting)
    world.session = SessionFactory(meeting=world.meeting, room=hall)
    add_speaking_slot(world.session, speaker=world.delegate_a, minutes=15)
    world.dinner = save_session(
        SessionFactory.build(
            meeting=world.meeting,
            room=RoomFactory(meeting=world.meeting),
            kind="dinner",
            start_at=at(19),
            end_at=at(21),
            format="informal",
            invitation="heads",
        )
    )
    world.published = MeetingFactory(publish_programme=True)
    SessionFactory(meeting=world.published)
    return world


@pytest.fixture
def two_speakers(meeting):
    """Two delegates of one meeting and a hall."""
    return {
        "hall": RoomFactory(meeting=meeting),
        "first": DelegateFactory(delegation__meeting=meeting),
        "second": DelegateFactory(delegation__meeting=meeting, role="adviser"),
    }
