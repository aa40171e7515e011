"""Comments can be edited and withdrawn (until the deadline); a circulated
version's deadline can be moved later.

The frozen-version trigger of 0002 refused any change of comment_deadline on a
circulated version. It now lets one change through: a later deadline on a
version that stays circulated (extend_comment_deadline); an earlier one, or a
deadline moved on a superseded or adopted version, is still refused.
"""

from django.db import migrations, models

FROZEN_CHANGE = """
    NEW.declaration_id IS DISTINCT FROM OLD.declaration_id
    OR NEW.number IS DISTINCT FROM OLD.number
    OR NEW.author_id IS DISTINCT FROM OLD.author_id
    OR NEW.author_name IS DISTINCT FROM OLD.author_name
    OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR NEW.circulated_at IS DISTINCT FROM OLD.circulated_at
    OR (NEW.comment_deadline IS DISTINCT FROM OLD.comment_deadline
        AND NOT (OLD.status = 'circulated' AND NEW.status = 'circulated'
                 AND NEW.comment_deadline > OLD.comment_deadline))
    OR NEW.lock_version IS DISTINCT FROM OLD.lock_version
    OR NOT (NEW.status = OLD.status
            OR (OLD.status = 'circulated' AND NEW.status IN ('superseded', 'adopted')))
"""

# 0002's condition, for going back.
OLD_FROZEN_CHANGE = """
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


def postgres_function(condition: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION declaration_refuse_frozen_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'declaration version is frozen: version % is %',
                OLD.number, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND ({condition}) THEN
        RAISE EXCEPTION 'declaration version is frozen: version % is %',
            OLD.number, OLD.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def sqlite_trigger(condition: str) -> list[str]:
    # SQLite has no IS DISTINCT FROM; IS NOT compares NULLs the same way.
    return [
        "DROP TRIGGER IF EXISTS declaration_version_frozen_update;",
        f"""
CREATE TRIGGER declaration_version_frozen_update
BEFORE UPDATE ON declaration_version
WHEN OLD.status <> 'draft' AND ({condition.replace("IS DISTINCT FROM", "IS NOT")})
BEGIN
    SELECT RAISE(ABORT, 'declaration version is frozen');
END;
""",
    ]


def install(condition: str):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(postgres_function(condition), params=None)
        elif vendor == "sqlite":
            for statement in sqlite_trigger(condition):
                schema_editor.execute(statement)
        else:
            raise NotImplementedError(f"no frozen-version triggers for {vendor}")

    return run


class Migration(migrations.Migration):
    dependencies = [("declaration", "0004_rules_under_every_isolation")]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="edited_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="last edited"
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn"),
        ),
        migrations.AddField(
            model_name="historicalcomment",
            name="edited_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="last edited"
            ),
        ),
        migrations.AddField(
            model_name="historicalcomment",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn"),
        ),
        migrations.RunPython(install(FROZEN_CHANGE), install(OLD_FROZEN_CHANGE)),
    ]
