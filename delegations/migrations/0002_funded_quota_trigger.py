"""The funded quota is enforced by the database, whatever writes the row.

PostgreSQL: a trigger locks the delegation row (FOR UPDATE) before counting, so
concurrent transactions funding the same delegation queue up and the count each
one sees includes the others' committed rows. SQLite serialises writers anyway.
The message text is matched by delegations.services.explain_quota_error.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION delegations_enforce_funded_quota() RETURNS trigger AS $$
DECLARE
    quota integer;
    funded_count integer;
    delegation_name text;
BEGIN
    IF NEW.funded IS NOT TRUE THEN
        RETURN NEW;
    END IF;
    SELECT funded_quota, name_en INTO quota, delegation_name
        FROM delegations_delegation WHERE id = NEW.delegation_id FOR UPDATE;
    SELECT count(*) INTO funded_count FROM delegations_delegate
        WHERE delegation_id = NEW.delegation_id AND funded AND id <> NEW.id;
    IF funded_count + 1 > quota THEN
        RAISE EXCEPTION 'funded quota exceeded: delegation "%" has a quota of %',
            delegation_name, quota USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER delegate_funded_quota
    BEFORE INSERT OR UPDATE OF funded, delegation_id ON delegations_delegate
    FOR EACH ROW EXECUTE FUNCTION delegations_enforce_funded_quota();

CREATE OR REPLACE FUNCTION delegations_enforce_quota_not_below_funded()
RETURNS trigger AS $$
BEGIN
    IF NEW.funded_quota < (SELECT count(*) FROM delegations_delegate
                           WHERE delegation_id = NEW.id AND funded) THEN
        RAISE EXCEPTION 'funded quota exceeded: delegation "%" has a quota of %',
            NEW.name_en, NEW.funded_quota USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER delegation_quota_not_below_funded
    BEFORE UPDATE OF funded_quota ON delegations_delegation
    FOR EACH ROW EXECUTE FUNCTION delegations_enforce_quota_not_below_funded();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS delegate_funded_quota ON delegations_delegate;
DROP FUNCTION IF EXISTS delegations_enforce_funded_quota();
DROP TRIGGER IF EXISTS delegation_quota_not_below_funded ON delegations_delegation;
DROP FUNCTION IF EXISTS delegations_enforce_quota_not_below_funded();
"""

SQLITE_FORWARD = [
    """
CREATE TRIGGER delegate_funded_quota_insert
BEFORE INSERT ON delegations_delegate WHEN NEW.funded
BEGIN
    SELECT RAISE(ABORT, 'funded quota exceeded')
    WHERE (SELECT count(*) FROM delegations_delegate
           WHERE delegation_id = NEW.delegation_id AND funded) + 1
        > (SELECT funded_quota FROM delegations_delegation
           WHERE id = NEW.delegation_id);
END;
""",
    """
CREATE TRIGGER delegate_funded_quota_update
BEFORE UPDATE OF funded, delegation_id ON delegations_delegate WHEN NEW.funded
BEGIN
    SELECT RAISE(ABORT, 'funded quota exceeded')
    WHERE (SELECT count(*) FROM delegations_delegate
           WHERE delegation_id = NEW.delegation_id AND funded AND id <> NEW.id) + 1
        > (SELECT funded_quota FROM delegations_delegation
           WHERE id = NEW.delegation_id);
END;
""",
    """
CREATE TRIGGER delegation_quota_not_below_funded
BEFORE UPDATE OF funded_quota ON delegations_delegation
BEGIN
    SELECT RAISE(ABORT, 'funded quota exceeded')
    WHERE NEW.funded_quota < (SELECT count(*) FROM delegations_delegate
                              WHERE delegation_id = NEW.id AND funded);
END;
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS delegate_funded_quota_insert;",
    "DROP TRIGGER IF EXISTS delegate_funded_quota_update;",
    "DROP TRIGGER IF EXISTS delegation_quota_not_below_funded;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the SQL has literal % signs (RAISE formats), not placeholders.
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"no funded-quota trigger for {vendor}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = POSTGRES_BACKWARD if vendor == "postgresql" else SQLITE_BACKWARD
    for statement in [statements] if isinstance(statements, str) else statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("delegations", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
