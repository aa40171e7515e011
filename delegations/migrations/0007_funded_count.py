"""The funded quota holds whatever the isolation level; TRUNCATE is refused.

Why 0002 was not enough: its trigger counted the funded delegates with
count(*), which reads the transaction's snapshot. Under READ COMMITTED each
statement takes a new snapshot after the row lock is granted, so the count was
right; under REPEATABLE READ the snapshot is the one taken at the transaction's
first statement, and `SELECT ... FOR UPDATE` on the delegation row only waits
for the lock (the row was locked, not changed, by the other writer), so ten
transactions could each count 2 of 3 and all commit.

Now the delegation row carries `funded_count`, kept by triggers on
delegations_delegate: inserting or deleting a funded delegate, flipping
`funded`, and moving a funded delegate to another delegation (both rows) add
or subtract one on the delegation row, and CHECK delegation_funded_within_quota
(0 <= funded_count <= funded_quota, in the model's Meta) holds it. Every writer
for a delegation therefore *updates* the same row:

- READ COMMITTED: the second writer waits on the row lock, then adds one to
  the count the first one committed, and the check refuses a count past the
  quota.
- REPEATABLE READ and SERIALIZABLE: the second writer updates a row changed
  by a transaction that committed after its snapshot, and PostgreSQL refuses
  with SQLSTATE 40001 (could not serialize access) instead of letting it pass.
  The services retry such a failure when they own the transaction, else name
  the delegation, its quota and who is funded (delegations.services).
- Lowering funded_quota is an update of the same row, so it collides with a
  concurrent funding the same way, and the check refuses a quota below the
  count.

Nobody else writes funded_count. On PostgreSQL a BEFORE trigger on the
delegation keeps the stored count on any UPDATE that does not come from the
counting trigger (pg_trigger_depth() = 1: a client's UPDATE, the ORM's save,
QuerySet.update(), loaddata of an existing row) and computes it on INSERT
(loaddata may insert a delegation after its delegates: foreign keys are
deferred). It also raises the readable "funded quota exceeded: ..." before the
check would. SQLite has no trigger depth and cannot change NEW, so its
triggers recount the delegation's funded delegates (at most 20, the quota's
cap) after each change and after any write of funded_count; SQLite serialises
writers anyway. Delegation.save() leaves the column out of its UPDATE.

Moving a delegate updates the two delegation rows lowest id first, so two
opposite moves wait for each other instead of deadlocking.

Existing rows are counted by this migration; a delegation already past its
quota (only possible through the race above) stops it, naming the delegation.

TRUNCATE (PostgreSQL) skips row triggers, so it would empty the delegates
under a count that still says they are funded, and cascade into the
declaration's circulations and adoptions. Statement-level BEFORE TRUNCATE
triggers refuse it on delegations_delegation and delegations_delegate (a
TRUNCATE ... CASCADE reaching them from dialogue_meeting is refused too),
unless the session says so on purpose. An operator who means to empty them:

    BEGIN;
    SET LOCAL dialogue.allow_truncate = 'on';
    TRUNCATE delegations_delegation, delegations_delegate CASCADE;
    COMMIT;

or, to remove the guard itself:

    DROP TRIGGER delegations_delegation_no_truncate ON delegations_delegation;
    DROP TRIGGER delegations_delegate_no_truncate ON delegations_delegate;

The guard stops accidents and code that truncates (`manage.py flush` on a
production database among them); an owner of the tables can always drop it.
The test suite sets dialogue.allow_truncate on its own connections, because
Django empties the test database between transactional tests with TRUNCATE
(tests/conftest.py).
"""

from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.models import F, Q

CONSTRAINT = "delegation_funded_within_quota"

OLD_POSTGRES = """
DROP TRIGGER IF EXISTS delegate_funded_quota ON delegations_delegate;
DROP FUNCTION IF EXISTS delegations_enforce_funded_quota();
DROP TRIGGER IF EXISTS delegation_quota_not_below_funded ON delegations_delegation;
DROP FUNCTION IF EXISTS delegations_enforce_quota_not_below_funded();
"""

OLD_SQLITE = [
    "DROP TRIGGER IF EXISTS delegate_funded_quota_insert;",
    "DROP TRIGGER IF EXISTS delegate_funded_quota_update;",
    "DROP TRIGGER IF EXISTS delegation_quota_not_below_funded;",
]

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION delegations_count_funded() RETURNS trigger AS $$
DECLARE
    leaving bigint;
    joining bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.funded THEN
            joining := NEW.delegation_id;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.funded THEN
            leaving := OLD.delegation_id;
        END IF;
    ELSIF OLD.funded IS DISTINCT FROM NEW.funded
          OR OLD.delegation_id IS DISTINCT FROM NEW.delegation_id THEN
        IF OLD.funded THEN
            leaving := OLD.delegation_id;
        END IF;
        IF NEW.funded THEN
            joining := NEW.delegation_id;
        END IF;
    END IF;
    -- Lowest id first: two opposite moves queue instead of deadlocking.
    IF joining IS NOT NULL AND (leaving IS NULL OR joining < leaving) THEN
        UPDATE delegations_delegation SET funded_count = funded_count + 1
            WHERE id = joining;
        joining := NULL;
    END IF;
    IF leaving IS NOT NULL THEN
        UPDATE delegations_delegation SET funded_count = funded_count - 1
            WHERE id = leaving;
    END IF;
    IF joining IS NOT NULL THEN
        UPDATE delegations_delegation SET funded_count = funded_count + 1
            WHERE id = joining;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER delegations_delegate_count_funded
    AFTER INSERT OR DELETE OR UPDATE OF funded, delegation_id
    ON delegations_delegate
    FOR EACH ROW EXECUTE FUNCTION delegations_count_funded();

CREATE OR REPLACE FUNCTION delegations_keep_funded_count() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO NEW.funded_count FROM delegations_delegate
            WHERE delegation_id = NEW.id AND funded;
    ELSIF pg_trigger_depth() = 1 THEN
        -- Not the counting trigger: whatever the statement wrote is stale.
        NEW.funded_count := OLD.funded_count;
    END IF;
    IF NEW.funded_count > NEW.funded_quota THEN
        RAISE EXCEPTION 'funded quota exceeded: delegation "%" would have % funded '
            'delegate(s), more than its quota of %',
            NEW.name_en, NEW.funded_count, NEW.funded_quota
            USING ERRCODE = 'check_violation', CONSTRAINT = '{CONSTRAINT}';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER delegations_delegation_keep_funded_count
    BEFORE INSERT OR UPDATE ON delegations_delegation
    FOR EACH ROW EXECUTE FUNCTION delegations_keep_funded_count();

CREATE OR REPLACE FUNCTION delegations_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('dialogue.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'TRUNCATE of % refused: the funded quota counts its rows',
        TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'To empty it on purpose: BEGIN; SET LOCAL '
                     'dialogue.allow_truncate = ''on''; TRUNCATE ...; COMMIT;';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER delegations_delegation_no_truncate
    BEFORE TRUNCATE ON delegations_delegation
    FOR EACH STATEMENT EXECUTE FUNCTION delegations_refuse_truncate();
CREATE TRIGGER delegations_delegate_no_truncate
    BEFORE TRUNCATE ON delegations_delegate
    FOR EACH STATEMENT EXECUTE FUNCTION delegations_refuse_truncate();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS delegations_delegate_count_funded ON delegations_delegate;
DROP FUNCTION IF EXISTS delegations_count_funded();
DROP TRIGGER IF EXISTS delegations_delegation_keep_funded_count
    ON delegations_delegation;
DROP FUNCTION IF EXISTS delegations_keep_funded_count();
DROP TRIGGER IF EXISTS delegations_delegation_no_truncate ON delegations_delegation;
DROP TRIGGER IF EXISTS delegations_delegate_no_truncate ON delegations_delegate;
DROP FUNCTION IF EXISTS delegations_refuse_truncate();
"""


def recount(delegation_id: str) -> str:
    return f"""
    UPDATE delegations_delegation SET funded_count = (
        SELECT count(*) FROM delegations_delegate
        WHERE delegation_id = {delegation_id} AND funded
    ) WHERE id = {delegation_id};"""


# The check on the delegation row refuses a count past the quota
# ("CHECK constraint failed: delegation_funded_within_quota").
SQLITE_FORWARD = [
    f"""
CREATE TRIGGER delegations_delegate_count_insert
AFTER INSERT ON delegations_delegate WHEN NEW.funded
BEGIN {recount("NEW.delegation_id")}
END;
""",
    f"""
CREATE TRIGGER delegations_delegate_count_delete
AFTER DELETE ON delegations_delegate WHEN OLD.funded
BEGIN {recount("OLD.delegation_id")}
END;
""",
    f"""
CREATE TRIGGER delegations_delegate_count_update
AFTER UPDATE OF funded, delegation_id ON delegations_delegate
WHEN (OLD.funded OR NEW.funded)
 AND (OLD.funded IS NOT NEW.funded OR OLD.delegation_id IS NOT NEW.delegation_id)
BEGIN {recount("OLD.delegation_id")} {recount("NEW.delegation_id")}
END;
""",
    f"""
CREATE TRIGGER delegations_delegation_count_insert
AFTER INSERT ON delegations_delegation
BEGIN {recount("NEW.id")}
END;
""",
    # A write of funded_count from anywhere but the triggers above (loaddata of
    # an existing row, QuerySet.update) is put right at once.
    f"""
CREATE TRIGGER delegations_delegation_keep_funded_count
AFTER UPDATE OF funded_count ON delegations_delegation
WHEN NEW.funded_count IS NOT (
    SELECT count(*) FROM delegations_delegate WHERE delegation_id = NEW.id AND funded
)
BEGIN {recount("NEW.id")}
END;
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS delegations_delegate_count_insert;",
    "DROP TRIGGER IF EXISTS delegations_delegate_count_delete;",
    "DROP TRIGGER IF EXISTS delegations_delegate_count_update;",
    "DROP TRIGGER IF EXISTS delegations_delegation_count_insert;",
    "DROP TRIGGER IF EXISTS delegations_delegation_keep_funded_count;",
]


def run(schema_editor, postgres, sqlite) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the SQL has literal % signs (RAISE formats), not placeholders.
        schema_editor.execute(postgres, params=None)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement, params=None)
    else:
        raise NotImplementedError(f"no funded-count triggers for {vendor}")


def drop_quota_triggers(apps, schema_editor):
    run(schema_editor, OLD_POSTGRES, OLD_SQLITE)


def restore_quota_triggers(apps, schema_editor):
    from importlib import import_module

    import_module("delegations.migrations.0002_funded_quota_trigger").forward(
        apps, schema_editor
    )


def count_funded(apps, schema_editor):
    """Fill funded_count; stop, naming them, if delegations are past their quota."""
    Delegation = apps.get_model("delegations", "Delegation")
    db = schema_editor.connection.alias
    schema_editor.execute(recount("delegations_delegation.id"), params=None)
    past = Delegation.objects.using(db).filter(funded_count__gt=F("funded_quota"))
    lines = [
        f"  {d.name_en} (delegation #{d.pk}): {d.funded_count} funded, "
        f"quota {d.funded_quota}"
        for d in past.order_by("pk")
    ]
    if lines:
        raise CommandError(
            "delegations 0007: these delegations have more funded delegates than "
            "their quota. Nothing was changed. Unfund some or raise the quota, "
            "then run migrate again:\n" + "\n".join(lines)
        )


def add_triggers(apps, schema_editor):
    run(schema_editor, POSTGRES_FORWARD, SQLITE_FORWARD)


def drop_triggers(apps, schema_editor):
    run(schema_editor, POSTGRES_BACKWARD, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("delegations", "0006_email_case_and_hotel_overlap")]

    operations = [
        migrations.RunPython(drop_quota_triggers, restore_quota_triggers),
        migrations.AddField(
            model_name="delegation",
            name="funded_count",
            field=models.PositiveSmallIntegerField(
                default=0,
                editable=False,
                help_text="Counted by the database as delegates are funded.",
                verbose_name="funded delegates",
            ),
        ),
        migrations.RunPython(count_funded, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="delegation",
            constraint=models.CheckConstraint(
                condition=Q(funded_count__gte=0, funded_count__lte=F("funded_quota")),
                name=CONSTRAINT,
                violation_error_message=(
                    "The quota cannot be lower than the delegates already funded."
                ),
            ),
        ),
        # Last: on SQLite the two operations above rebuild the table, which
        # drops the triggers on it.
        migrations.RunPython(add_triggers, drop_triggers),
    ]
