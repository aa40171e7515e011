"""Trigram indexes for the delegates list's search, on PostgreSQL only.

The admin searches delegates with icontains over five columns, which
PostgreSQL compiles to UPPER(column::text) LIKE UPPER('%term%'): no btree
index serves it, so at 20,000 delegates every search (and its count) read the
whole table (bench/scale.py). A GIN index of pg_trgm trigrams on each
UPPER(column) serves LIKE '%term%' in either script; the five are ORed by a
bitmap scan. SQLite has no such index and scans (the embedded default holds
small meetings); the migration does nothing there.
"""

from django.db import migrations

COLUMNS = ("name_latin", "name_cyrillic", "email", "position_en", "position_ru")


def index_name(column: str) -> str:
    return f"delegate_{column}_trgm"


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A trusted extension: the database owner may create it (PostgreSQL 13+).
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;", params=None)
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index_name(column)} "
            f"ON delegations_delegate USING gin (UPPER({column}::text) gin_trgm_ops);",
            params=None,
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"DROP INDEX IF EXISTS {index_name(column)};", params=None
        )


class Migration(migrations.Migration):
    dependencies = [("delegations", "0008_delegate_honorific")]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
