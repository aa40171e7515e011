"""Two rules the database now holds, whatever writes the rows.

1. A delegate's email is unique per meeting regardless of case: the unique
   index is on LOWER(email). Existing emails that differ only in case are not
   merged or changed: the migration stops and names them, so that staff decide
   which delegate keeps the address.
2. Hotel stays of one delegate never overlap (a stay may start on the day the
   previous one ends). PostgreSQL: an exclusion constraint over
   daterange(check_in, check_out, '[)') with btree_gist, which also settles
   concurrent writers. SQLite: triggers refusing an overlapping insert or
   update (SQLite serialises writers). Existing overlaps stop the migration the
   same way. delegations.services matches the name hotelstay_no_overlap in the
   error to show the readable message.
"""

import django.db.models.functions.text
from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.models import Count, Q
from django.db.models.functions import Lower

OVERLAP = "hotelstay_no_overlap"

POSTGRES_FORWARD = [
    # A trusted extension: the database owner may create it (PostgreSQL 13+).
    "CREATE EXTENSION IF NOT EXISTS btree_gist;",
    f"""
ALTER TABLE delegations_hotelstay ADD CONSTRAINT {OVERLAP}
    EXCLUDE USING gist (
        delegate_id WITH =,
        daterange(check_in, check_out, '[)') WITH &&
    );
""",
]

POSTGRES_BACKWARD = [
    f"ALTER TABLE delegations_hotelstay DROP CONSTRAINT IF EXISTS {OVERLAP};",
]

SQLITE_CONDITION = """
    WHERE EXISTS (
        SELECT 1 FROM delegations_hotelstay
        WHERE delegate_id = NEW.delegate_id
          AND check_in < NEW.check_out AND check_out > NEW.check_in{other}
    )"""

SQLITE_FORWARD = [
    f"""
CREATE TRIGGER {OVERLAP}_insert
BEFORE INSERT ON delegations_hotelstay
BEGIN
    SELECT RAISE(ABORT, '{OVERLAP}: the stay overlaps another stay of the delegate')
    {SQLITE_CONDITION.format(other="")};
END;
""",
    f"""
CREATE TRIGGER {OVERLAP}_update
BEFORE UPDATE OF delegate_id, check_in, check_out ON delegations_hotelstay
BEGIN
    SELECT RAISE(ABORT, '{OVERLAP}: the stay overlaps another stay of the delegate')
    {SQLITE_CONDITION.format(other=" AND id <> OLD.id")};
END;
""",
]

SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {OVERLAP}_insert;",
    f"DROP TRIGGER IF EXISTS {OVERLAP}_update;",
]


def refuse_emails_differing_in_case(apps, schema_editor):
    """Stop, naming the delegates, if two of a meeting share an email but for case."""
    Delegate = apps.get_model("delegations", "Delegate")
    db = schema_editor.connection.alias
    delegates = (
        Delegate.objects.using(db).exclude(email="").annotate(key=Lower("email"))
    )
    shared = (
        delegates.values("meeting_id", "key")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .order_by("meeting_id", "key")
    )
    groups = []
    for group in shared:
        rows = delegates.filter(
            meeting_id=group["meeting_id"], key=group["key"]
        ).order_by("id")
        people = ", ".join(
            f"#{d.pk} {d.name_latin} <{d.email}>"
            for d in rows.select_related("meeting")
        )
        groups.append(f"  meeting {rows[0].meeting.slug}: {people}")
    if groups:
        raise CommandError(
            "Emails must be unique per meeting regardless of case, and these delegates share one that differs only in case. "
            "Nothing was changed. Give each of them a distinct email (in the "
            "admin, or with the shell), then run migrate again:\n" + "\n".join(groups)
        )


def refuse_overlapping_stays(apps, schema_editor):
    """Stop, naming the stays, if a delegate already has overlapping ones."""
    HotelStay = apps.get_model("delegations", "HotelStay")
    db = schema_editor.connection.alias
    stays = HotelStay.objects.using(db)
    clashes = (
        stays.filter(
            delegate__hotel_stays__check_in__lt=models.F("check_out"),
            delegate__hotel_stays__check_out__gt=models.F("check_in"),
            delegate__hotel_stays__id__gt=models.F("id"),
        )
        .select_related("delegate")
        .annotate(other_id=models.F("delegate__hotel_stays__id"))
        .order_by("delegate_id", "check_in", "id")
    )
    lines = []
    for stay in clashes:
        other = stays.get(pk=stay.other_id)
        lines.append(
            f"  {stay.delegate.name_latin} (delegate #{stay.delegate_id}): "
            f"stay #{stay.pk} {stay.hotel_en} {stay.check_in}–{stay.check_out} "
            f"overlaps stay #{other.pk} {other.hotel_en} "
            f"{other.check_in}–{other.check_out}"
        )
    if lines:
        raise CommandError(
            "A delegate's hotel stays must not overlap, and these do. Nothing was changed. Correct or delete one stay of each "
            "pair, then run migrate again:\n" + "\n".join(lines)
        )


def add_overlap_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRES_FORWARD
    elif vendor == "sqlite":
        statements = SQLITE_FORWARD
    else:
        raise NotImplementedError(f"no hotel overlap guard for {vendor}")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_overlap_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = POSTGRES_BACKWARD if vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("delegations", "0005_link_token_digest")]

    operations = [
        migrations.RunPython(
            refuse_emails_differing_in_case, migrations.RunPython.noop
        ),
        migrations.RemoveConstraint(
            model_name="delegate", name="delegate_unique_email_per_meeting"
        ),
        migrations.AddConstraint(
            model_name="delegate",
            constraint=models.UniqueConstraint(
                models.F("meeting"),
                django.db.models.functions.text.Lower("email"),
                condition=Q(("email", ""), _negated=True),
                name="delegate_unique_email_per_meeting",
                violation_error_message=(
                    "Another delegate of this meeting has this email."
                ),
            ),
        ),
        migrations.RunPython(refuse_overlapping_stays, migrations.RunPython.noop),
        migrations.RunPython(add_overlap_guard, drop_overlap_guard),
    ]
