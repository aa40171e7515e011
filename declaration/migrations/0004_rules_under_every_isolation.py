"""Frozen versions stay frozen under REPEATABLE READ; TRUNCATE is refused.

The version trigger of 0002 judges the row it changes (OLD is always the
current row: an UPDATE of a row changed since the snapshot fails to serialize
under REPEATABLE READ), so it held. The paragraph trigger did not: it read the
version's status with a plain SELECT, from the transaction's snapshot. A
transaction that started while the version was a draft could insert, change
or delete its paragraphs after another transaction had circulated it, and
commit. Under READ COMMITTED too, a paragraph writer that read the status
while a circulation was still uncommitted saw a draft, wrote, and committed
after the circulation.

Now the paragraph trigger reads the version row FOR SHARE. Circulating,
superseding or adopting is an UPDATE of that row, which takes its row lock:

- freeze first: under READ COMMITTED the paragraph writer waits for the
  freeze to commit, then reads the new status and is refused; under
  REPEATABLE READ (and SERIALIZABLE) it finds the row changed since its
  snapshot and fails to serialize (SQLSTATE 40001) instead of writing.
- paragraph first: the freeze waits for the paragraph writer's share lock, so
  the paragraph change commits before the version is frozen, which is the
  order the rule allows.

TRUNCATE skips row triggers: `TRUNCATE declaration_paragraph CASCADE` emptied
circulated and adopted versions and their comments. Statement-level BEFORE
TRUNCATE triggers refuse it on declaration_version, declaration_paragraph,
declaration_comment, declaration_circulation and declaration_adoption (a
TRUNCATE ... CASCADE that reaches one of them is refused as a whole), unless
the session says so on purpose. An operator who means to empty them:

    BEGIN;
    SET LOCAL dialogue.allow_truncate = 'on';
    TRUNCATE declaration_version, declaration_paragraph, declaration_comment,
        declaration_circulation, declaration_adoption CASCADE;
    COMMIT;

or, to remove the guard itself:

    DROP TRIGGER declaration_version_no_truncate ON declaration_version;
    DROP TRIGGER declaration_paragraph_no_truncate ON declaration_paragraph;
    DROP TRIGGER declaration_comment_no_truncate ON declaration_comment;
    DROP TRIGGER declaration_circulation_no_truncate ON declaration_circulation;
    DROP TRIGGER declaration_adoption_no_truncate ON declaration_adoption;

The guard stops accidents and code that truncates; an owner of the tables can
always drop it. The test suite sets dialogue.allow_truncate on its own
connections, because Django empties the test database between transactional
tests with TRUNCATE (tests/conftest.py). SQLite has no TRUNCATE and serialises
writers; nothing changes there.
"""

from django.db import migrations

PROTECTED = [
    "declaration_version",
    "declaration_paragraph",
    "declaration_comment",
    "declaration_circulation",
    "declaration_adoption",
]

FROZEN_PARAGRAPH = """
CREATE OR REPLACE FUNCTION declaration_refuse_frozen_paragraph() RETURNS trigger AS $$
DECLARE
    state text;
BEGIN
    -- FOR SHARE: the status as it is now, not as the snapshot saw it.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO state FROM declaration_version
            WHERE id = OLD.version_id FOR SHARE;
        IF state IS NOT NULL AND state <> 'draft' THEN
            RAISE EXCEPTION
                'declaration version is frozen: its paragraphs cannot change'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO state FROM declaration_version
            WHERE id = NEW.version_id FOR SHARE;
        IF state IS NOT NULL AND state <> 'draft' THEN
            RAISE EXCEPTION
                'declaration version is frozen: its paragraphs cannot change'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;
"""

REFUSE_TRUNCATE = """
CREATE OR REPLACE FUNCTION declaration_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('dialogue.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'TRUNCATE of % refused: declaration versions freeze once '
        'circulated', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'To empty it on purpose: BEGIN; SET LOCAL '
                     'dialogue.allow_truncate = ''on''; TRUNCATE ...; COMMIT;';
END
$$ LANGUAGE plpgsql;
"""

POSTGRES_FORWARD = [FROZEN_PARAGRAPH, REFUSE_TRUNCATE] + [
    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION declaration_refuse_truncate();"
    for table in PROTECTED
]

POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};" for table in PROTECTED
] + ["DROP FUNCTION IF EXISTS declaration_refuse_truncate();"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in POSTGRES_FORWARD:
        # params=None: the SQL has literal % signs (RAISE formats), not placeholders.
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    for statement in POSTGRES_BACKWARD:
        schema_editor.execute(statement, params=None)
    # Back to 0002's paragraph function (the same, without FOR SHARE).
    frozen_versions = import_module("declaration.migrations.0002_frozen_versions")
    frozen_versions.backward(apps, schema_editor)
    frozen_versions.forward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("declaration", "0003_staff_permissions")]

    operations = [migrations.RunPython(forward, backward)]
