"""A circulated, superseded or adopted version is frozen, whatever writes the row.

The only change a frozen version allows is circulated -> superseded or adopted.
Paragraphs of a frozen version cannot be inserted, changed or deleted.

PostgreSQL refuses UPDATE and DELETE. SQLite refuses UPDATE and INSERT; its
DELETE is left to the ORM (Model.delete(), QuerySet.delete(), the pre_delete
receiver), because Django's test flush on SQLite empties tables with DELETE
(PostgreSQL's uses TRUNCATE, which row triggers do not see).

The message starts with "declaration version is frozen" (see models.VersionFrozen).
"""

from django.db import migrations

FROZEN_CHANGE = """
    NEW.declaration_id IS DISTINCT FROM OLD.declaration_id
    OR NEW.number IS DISTINCT FROM OLD.number
    OR NEW.author_id IS DISTINCT FROM OLD.author_id
    OR NEW.author_name IS DISTINCT FROM OLD.author_name
    OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR NEW.circulated_at IS DISTINCT FROM OLD.circulated_at
    OR NEW.comment_deadline IS DISTINCT FROM OLD.comment_deadline
    OR NEW.lock_version IS DISTINCT FROM OLD.lock_version
    OR NOT (NEW.status = OLD.status
            OR (OLD.status = 'circulated' AND NEW.status IN ('superseded', 'adopted')))
"""

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION declaration_refuse_frozen_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'declaration version is frozen: version % is %',
                OLD.number, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND ({FROZEN_CHANGE}) THEN
        RAISE EXCEPTION 'declaration version is frozen: version % is %',
            OLD.number, OLD.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER declaration_version_frozen
    BEFORE UPDATE OR DELETE ON declaration_version
    FOR EACH ROW EXECUTE FUNCTION declaration_refuse_frozen_version();

CREATE OR REPLACE FUNCTION declaration_refuse_frozen_paragraph() RETURNS trigger AS $$
DECLARE
    state text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO state FROM declaration_version WHERE id = OLD.version_id;
        IF state IS NOT NULL AND state <> 'draft' THEN
            RAISE EXCEPTION 'declaration version is frozen: its paragraphs cannot change'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO state FROM declaration_version WHERE id = NEW.version_id;
        IF state IS NOT NULL AND state <> 'draft' THEN
            RAISE EXCEPTION 'declaration version is frozen: its paragraphs cannot change'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER declaration_paragraph_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON declaration_paragraph
    FOR EACH ROW EXECUTE FUNCTION declaration_refuse_frozen_paragraph();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS declaration_version_frozen ON declaration_version;
DROP FUNCTION IF EXISTS declaration_refuse_frozen_version();
DROP TRIGGER IF EXISTS declaration_paragraph_frozen ON declaration_paragraph;
DROP FUNCTION IF EXISTS declaration_refuse_frozen_paragraph();
"""

# SQLite has no IS DISTINCT FROM; IS NOT compares NULLs the same way.
SQLITE_FORWARD = [
    f"""
CREATE TRIGGER declaration_version_frozen_update
BEFORE UPDATE ON declaration_version
WHEN OLD.status <> 'draft' AND ({FROZEN_CHANGE.replace("IS DISTINCT FROM", "IS NOT")})
BEGIN
    SELECT RAISE(ABORT, 'declaration version is frozen');
END;
""",
    """
CREATE TRIGGER declaration_paragraph_frozen_insert
BEFORE INSERT ON declaration_paragraph
WHEN (SELECT status FROM declaration_version WHERE id = NEW.version_id)
     IN ('circulated', 'superseded', 'adopted')
BEGIN
    SELECT RAISE(ABORT, 'declaration version is frozen: its paragraphs cannot change');
END;
""",
    """
CREATE TRIGGER declaration_paragraph_frozen_update
BEFORE UPDATE ON declaration_paragraph
WHEN (SELECT status FROM declaration_version WHERE id = OLD.version_id)
     IN ('circulated', 'superseded', 'adopted')
  OR (SELECT status FROM declaration_version WHERE id = NEW.version_id)
     IN ('circulated', 'superseded', 'adopted')
BEGIN
    SELECT RAISE(ABORT, 'declaration version is frozen: its paragraphs cannot change');
END;
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS declaration_version_frozen_update;",
    "DROP TRIGGER IF EXISTS declaration_paragraph_frozen_insert;",
    "DROP TRIGGER IF EXISTS declaration_paragraph_frozen_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"no frozen-version triggers for {vendor}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("declaration", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
