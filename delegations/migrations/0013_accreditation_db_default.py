"""Delegate.accreditation gets its default in the database as well.

0012 added the column; on PostgreSQL Django drops a column's default once the
rows are filled, so an INSERT that does not name the column (another client,
a raw script) failed NOT NULL. On SQLite 0012's ALTER TABLE already kept
DEFAULT 'nominated', and altering the field there would rebuild the table
and drop its triggers (see 0012): only PostgreSQL's columns are altered.
"""

from django.db import migrations, models

CHOICES = [
    ("nominated", "nominated"),
    ("accredited", "accredited"),
    ("badge_printed", "badge printed"),
    ("checked_in", "checked in"),
]
TABLES = ("delegations_delegate", "delegations_historicaldelegate")


def set_default(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} "
            "ALTER COLUMN accreditation SET DEFAULT 'nominated'"
        )


def drop_default(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} "
            "ALTER COLUMN accreditation DROP DEFAULT"
        )


def field():
    return models.CharField(
        choices=CHOICES,
        db_default="nominated",
        default="nominated",
        editable=False,
        max_length=20,
        verbose_name="accreditation",
    )


class Migration(migrations.Migration):
    dependencies = [("delegations", "0012_delegate_accreditation")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(set_default, drop_default)],
            state_operations=[
                migrations.AlterField(
                    model_name="delegate", name="accreditation", field=field()
                ),
                migrations.AlterField(
                    model_name="historicaldelegate",
                    name="accreditation",
                    field=field(),
                ),
            ],
        )
    ]
