"""The programme's database rules hold under REPEATABLE READ too (PostgreSQL).

Each rule of 0002 and 0001, and whether a snapshot lets two REPEATABLE READ
transactions pass it:

- Slot positions unique per session: a unique index. An index sees rows that
  are not in the snapshot (it waits for an uncommitted one and refuses a
  committed one), so it holds at every isolation level. Unchanged.
- Sessions in one room do not overlap: the trigger locks the room row and then
  looks for a clash with a SELECT, which under REPEATABLE READ reads the
  snapshot taken at the transaction's start. Locking the room does not refresh
  it (the other writer locked the room, it did not change it), so two sessions
  inserted at once into a free room both passed. Now an exclusion constraint
  holds it, session_room_no_overlap:

      EXCLUDE USING gist (room_id WITH =, tstzrange(start_at, end_at) WITH &&)

  (btree_gist gives the = on room_id). Like a unique index it checks against
  every row, committed or not, whatever the snapshot. tstzrange is half-open,
  so a session may start when the previous one ends, as before. The trigger
  stays: under READ COMMITTED it is what names the session in the way; the
  constraint answers with its name, which agenda.services turns into the same
  message. The room's meeting is now read under the room's lock, so that a
  room moved to another meeting at the same moment is seen (or, under
  REPEATABLE READ, makes the writer fail to serialize).
- A slot's speaker is a delegate of the session's meeting: the trigger read the
  delegate's and the session's meeting_id from the snapshot, so a session or
  delegate moved to another meeting by a transaction that committed in between
  went unseen. It now reads both rows FOR SHARE: under READ COMMITTED it waits
  for such a move and reads its result; under REPEATABLE READ a row changed
  since the snapshot makes it fail to serialize (SQLSTATE 40001) instead of
  passing. (Moving a session or a delegate that already has speaking slots to
  another meeting is not refused by the database at all, at any isolation
  level: no trigger watches those columns. That gap is not a snapshot's.)

Existing overlaps stop the migration, naming the sessions. SQLite is
unchanged: it serialises writers, and its triggers read the current rows.
"""

from django.core.management.base import CommandError
from django.db import migrations
from django.db.models import F

OVERLAP = "session_room_no_overlap"

POSTGRES_FORWARD = [
    # A trusted extension: the database owner may create it (PostgreSQL 13+).
    "CREATE EXTENSION IF NOT EXISTS btree_gist;",
    f"""
ALTER TABLE agenda_session ADD CONSTRAINT {OVERLAP}
    EXCLUDE USING gist (room_id WITH =, tstzrange(start_at, end_at) WITH &&);
""",
    """
CREATE OR REPLACE FUNCTION agenda_enforce_room_free() RETURNS trigger AS $$
DECLARE
    clash text;
    room_meeting bigint;
BEGIN
    -- Locked first, so the room's meeting is read as it is now.
    SELECT meeting_id INTO room_meeting FROM agenda_room
        WHERE id = NEW.room_id FOR UPDATE;
    IF room_meeting <> NEW.meeting_id THEN
        RAISE EXCEPTION 'room of another meeting' USING ERRCODE = 'check_violation';
    END IF;
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
""",
    """
CREATE OR REPLACE FUNCTION agenda_enforce_speaker_meeting() RETURNS trigger AS $$
DECLARE
    speaker_meeting bigint;
    session_meeting bigint;
BEGIN
    SELECT meeting_id INTO speaker_meeting FROM delegations_delegate
        WHERE id = NEW.speaker_id FOR SHARE;
    SELECT meeting_id INTO session_meeting FROM agenda_session
        WHERE id = NEW.session_id FOR SHARE;
    IF speaker_meeting <> session_meeting THEN
        RAISE EXCEPTION 'speaker of another meeting'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
""",
]

POSTGRES_BACKWARD = [
    f"ALTER TABLE agenda_session DROP CONSTRAINT IF EXISTS {OVERLAP};",
]


def refuse_overlapping_sessions(apps, schema_editor):
    """Stop, naming them, if two sessions in one room already overlap."""
    Session = apps.get_model("agenda", "Session")
    db = schema_editor.connection.alias
    sessions = Session.objects.using(db)
    clashes = sessions.filter(
        room__sessions__start_at__lt=F("end_at"),
        room__sessions__end_at__gt=F("start_at"),
        room__sessions__id__gt=F("id"),
    ).annotate(other_id=F("room__sessions__id"))
    lines = []
    for session in clashes.order_by("room_id", "start_at", "id"):
        other = sessions.get(pk=session.other_id)
        lines.append(
            f"  room #{session.room_id}: session #{session.pk} {session.title_en!r} "
            f"({session.start_at:%Y-%m-%d %H:%M}–{session.end_at:%H:%M} UTC) "
            f"overlaps session #{other.pk} {other.title_en!r} "
            f"({other.start_at:%Y-%m-%d %H:%M}–{other.end_at:%H:%M} UTC)"
        )
    if lines:
        raise CommandError(
            "agenda 0004: sessions in one room must not overlap, and these do. "
            "Nothing was changed. Move or reschedule one of each pair, then run "
            "migrate again:\n" + "\n".join(lines)
        )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    refuse_overlapping_sessions(apps, schema_editor)
    for statement in POSTGRES_FORWARD:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    for statement in POSTGRES_BACKWARD:
        schema_editor.execute(statement, params=None)
    # Back to 0002's triggers and functions, as they were.
    programme_triggers = import_module("agenda.migrations.0002_programme_triggers")
    programme_triggers.backward(apps, schema_editor)
    programme_triggers.forward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("agenda", "0003_staff_permissions")]

    operations = [migrations.RunPython(forward, backward)]
