"""The programme's database rules hold under concurrent transactions at every
isolation level (PostgreSQL; agenda/migrations/0004_rules_under_every_isolation.py).
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from agenda.models import Session
from agenda.services import save_session
from tests import raw_pg
from tests.agenda.factories import RoomFactory, SessionFactory, at
from tests.factories import DelegateFactory, MeetingFactory
from tests.services import need_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RACERS = 10
isolation_levels = pytest.mark.parametrize("isolation", raw_pg.ISOLATION_LEVELS)

INSERT_SESSION = """
INSERT INTO agenda_session (
    kind, title_en, title_ru, description_en, description_ru, start_at, end_at,
    format, interpretation, invitation, meeting_id, room_id)
VALUES ('thematic', %(title)s, %(title)s, '', '', %(start)s, %(end)s,
    'plenary', 'en_ru', 'all', %(meeting)s, %(room)s)
"""


def sessions_in(room) -> list[str]:
    return [
        title
        for (title,) in raw_pg.query(
            "SELECT title_en FROM agenda_session WHERE room_id = %s", (room.pk,)
        )
    ]


@isolation_levels
def test_raw_sessions_in_one_room_never_overlap(isolation):
    """Ten sessions into a free room at overlapping times: exactly one is kept.

    Under REPEATABLE READ the trigger's look for a clash reads a snapshot in
    which the room is free; the exclusion constraint refuses the others.
    """
    need_postgres()
    room = RoomFactory()

    def read(cursor, i):
        cursor.execute(
            "SELECT count(*) FROM agenda_session WHERE room_id = %s", [room.pk]
        )

    def insert(cursor, i):
        start = at(10, i)  # 10:00, 10:01, ... each overlapping all the others
        cursor.execute(
            INSERT_SESSION,
            {
                "title": f"Racer {i}",
                "start": start,
                "end": start + datetime.timedelta(hours=1),
                "meeting": room.meeting_id,
                "room": room.pk,
            },
        )

    outcomes = raw_pg.race(RACERS, isolation, read=read, write=insert)
    assert outcomes.count(raw_pg.COMMITTED) == 1
    refusals = {o for o in outcomes if o != raw_pg.COMMITTED}
    # A SERIALIZABLE racer may be stopped by the serializer before the index.
    allowed = {raw_pg.EXCLUSION_VIOLATION}
    if isolation == raw_pg.SERIALIZABLE:
        allowed.add(raw_pg.SERIALIZATION_FAILURE)
    assert refusals <= allowed
    assert sessions_in(room) == [f"Racer {outcomes.index(raw_pg.COMMITTED)}"]


def test_back_to_back_sessions_still_allowed():
    need_postgres()
    room = RoomFactory()
    SessionFactory(meeting=room.meeting, room=room, start_at=at(10), end_at=at(11))
    SessionFactory(meeting=room.meeting, room=room, start_at=at(11), end_at=at(12))
    assert len(sessions_in(room)) == 2


def test_service_names_the_clash_the_exclusion_constraint_found():
    """save_session at REPEATABLE READ, while a raw writer takes the room.

    The raw writer holds the meeting's lock, as another save_session would;
    save_session's snapshot is taken before it commits, so its own checks and
    the trigger see a free room, and the exclusion constraint refuses the
    insert; the service says so.
    """
    need_postgres()
    room = RoomFactory()
    blocker = raw_pg.connect()
    with blocker.cursor() as cursor:
        # As save_session does: the meeting first, then the session.
        cursor.execute(
            "SELECT 1 FROM dialogue_meeting WHERE id = %s FOR UPDATE",
            [room.meeting_id],
        )
        cursor.execute(
            INSERT_SESSION,
            {
                "title": "Opening",
                "start": at(10),
                "end": at(11),
                "meeting": room.meeting_id,
                "room": room.pk,
            },
        )
    result = {}
    started = threading.Event()

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL "
                    "REPEATABLE READ"
                )
                cursor.execute("SELECT pg_backend_pid()")
                result["pid"] = cursor.fetchone()[0]
            started.set()
            save_session(
                Session(
                    meeting_id=room.meeting_id,
                    room=room,
                    kind="thematic",
                    title_en="Keynote",
                    title_ru="Основной доклад",
                    start_at=at(10, 30),
                    end_at=at(11, 30),
                )
            )
            result["outcome"] = "saved"
        except ValidationError as exc:
            result["outcome"] = exc.message_dict
        finally:
            started.set()
            connection.close()

    thread = threading.Thread(target=run)
    try:
        thread.start()
        started.wait(timeout=10)
        raw_pg.wait_until_blocked([result["pid"]])
        blocker.commit()
    finally:
        blocker.close()
    thread.join(timeout=30)
    assert result["outcome"] == {
        "room": ["This room was just taken at that time; reload and retry."]
    }
    assert sessions_in(room) == ["Opening"]


INSERT_SLOT = """
INSERT INTO agenda_speakingslot (
    session_id, position, speaker_id, subject_en, subject_ru, minutes)
VALUES (%s, 1, %s, 'Statement', 'Выступление', 10)
"""

REFUSED_SPEAKER = {
    raw_pg.READ_COMMITTED: raw_pg.CHECK_VIOLATION,  # reads the session as moved
    raw_pg.REPEATABLE_READ: raw_pg.SERIALIZATION_FAILURE,
    raw_pg.SERIALIZABLE: raw_pg.SERIALIZATION_FAILURE,
}


@isolation_levels
def test_speaker_refused_when_the_session_moved_meeting_after_the_snapshot(
    isolation,
):
    """The slot's writer took its snapshot before the session went to another
    meeting; it must not add a speaker of the old meeting to it."""
    need_postgres()
    session = SessionFactory()
    speaker = DelegateFactory(delegation__meeting=session.meeting)
    elsewhere = RoomFactory(meeting=MeetingFactory())
    writer = raw_pg.connect(isolation)
    try:
        with writer.cursor() as cursor:
            cursor.execute(
                "SELECT meeting_id FROM agenda_session WHERE id = %s", [session.pk]
            )
            mover = raw_pg.connect()
            with mover.cursor() as move:
                move.execute(
                    "UPDATE agenda_session SET meeting_id = %s, room_id = %s "
                    "WHERE id = %s",
                    (elsewhere.meeting_id, elsewhere.pk, session.pk),
                )
            mover.commit()
            mover.close()
            with pytest.raises(raw_pg.psycopg2.Error) as refused:
                cursor.execute(INSERT_SLOT, (session.pk, speaker.pk))
        writer.rollback()
    finally:
        writer.close()
    assert refused.value.pgcode == REFUSED_SPEAKER[isolation]
    assert raw_pg.query("SELECT count(*) FROM agenda_speakingslot") == [(0,)]
