"""Two programme rules enforced by the database, whatever writes the row.

- Sessions in the same room do not overlap, and a session's room belongs to its
  meeting. On PostgreSQL the trigger locks the room row (FOR UPDATE) before
  looking, so concurrent writers for one room queue up; SQLite serialises
  writers anyway.
- A speaking slot's speaker is a delegate of the session's meeting.

A comparison with a row that is not there yet (loaddata inserts rows in file
order with foreign keys deferred) is NULL and passes; the deferred foreign key
then guarantees the row exists. The messages are matched by agenda.services.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION agenda_enforce_room_free() RETURNS trigger AS $$
DECLARE
    clash text;
BEGIN
    IF (SELECT meeting_id FROM agenda_room WHERE id = NEW.room_id) <> NEW.meeting_id
    THEN
        RAISE EXCEPTION 'room of another meeting' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM 1 FROM agenda_room WHERE id = NEW.room_id FOR UPDATE;
    SELECT title_en INTO clash FROM agenda_session
        WHERE room_id = NEW.room_id AND id <> NEW.id
          AND start_at < NEW.end_at AND end_at > NEW.start_at
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'room overlap: the room is taken by "%"', clash
            USING ERRCODE = 'exclusion_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER agenda_session_room_free
    BEFORE INSERT OR UPDATE OF start_at, end_at, room_id, meeting_id
    ON agenda_session
    FOR EACH ROW EXECUTE FUNCTION agenda_enforce_room_free();

CREATE OR REPLACE FUNCTION agenda_enforce_speaker_meeting() RETURNS trigger AS $$
BEGIN
    IF (SELECT meeting_id FROM delegations_delegate WHERE id = NEW.speaker_id)
       <> (SELECT meeting_id FROM agenda_session WHERE id = NEW.session_id) THEN
        RAISE EXCEPTION 'speaker of another meeting'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER agenda_slot_speaker_meeting
    BEFORE INSERT OR UPDATE OF speaker_id, session_id ON agenda_speakingslot
    FOR EACH ROW EXECUTE FUNCTION agenda_enforce_speaker_meeting();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS agenda_session_room_free ON agenda_session;
DROP FUNCTION IF EXISTS agenda_enforce_room_free();
DROP TRIGGER IF EXISTS agenda_slot_speaker_meeting ON agenda_speakingslot;
DROP FUNCTION IF EXISTS agenda_enforce_speaker_meeting();
"""

ROOM_CHECK = """
BEGIN
    SELECT RAISE(ABORT, 'room of another meeting')
    WHERE (SELECT meeting_id FROM agenda_room WHERE id = NEW.room_id)
        <> NEW.meeting_id;
    SELECT RAISE(ABORT, 'room overlap')
    WHERE EXISTS (
        SELECT 1 FROM agenda_session
        WHERE room_id = NEW.room_id AND id IS NOT NEW.id
          AND start_at < NEW.end_at AND end_at > NEW.start_at
    );
END;
"""

SPEAKER_CHECK = """
BEGIN
    SELECT RAISE(ABORT, 'speaker of another meeting')
    WHERE (SELECT meeting_id FROM delegations_delegate WHERE id = NEW.speaker_id)
        <> (SELECT meeting_id FROM agenda_session WHERE id = NEW.session_id);
END;
"""

SQLITE_FORWARD = [
    "CREATE TRIGGER agenda_session_room_free_insert BEFORE INSERT ON agenda_session"
    + ROOM_CHECK,
    "CREATE TRIGGER agenda_session_room_free_update BEFORE UPDATE OF "
    "start_at, end_at, room_id, meeting_id ON agenda_session" + ROOM_CHECK,
    "CREATE TRIGGER agenda_slot_speaker_meeting_insert BEFORE INSERT ON "
    "agenda_speakingslot" + SPEAKER_CHECK,
    "CREATE TRIGGER agenda_slot_speaker_meeting_update BEFORE UPDATE OF "
    "speaker_id, session_id ON agenda_speakingslot" + SPEAKER_CHECK,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS agenda_session_room_free_insert;",
    "DROP TRIGGER IF EXISTS agenda_session_room_free_update;",
    "DROP TRIGGER IF EXISTS agenda_slot_speaker_meeting_insert;",
    "DROP TRIGGER IF EXISTS agenda_slot_speaker_meeting_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)
    else:
        raise NotImplementedError(f"no programme triggers for {vendor}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [POSTGRES_BACKWARD] if vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("agenda", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
