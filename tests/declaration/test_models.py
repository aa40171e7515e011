"""A circulated, superseded or adopted version is frozen in the ORM and the database."""

import pytest
from django.db import IntegrityError, connection, transaction

from declaration.models import Paragraph, Version, VersionFrozen
from tests.declaration.factories import DeclarationFactory, version_with_text


def raw(sql: str, params: list) -> None:
    """Run one statement as raw SQL, past the ORM, in its own savepoint."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def circulated(db):
    return version_with_text(DeclarationFactory(), 1, status="circulated")


def test_version_save_refuses_change_to_circulated_version(circulated):
    circulated.author_name = "Someone else"
    with pytest.raises(VersionFrozen):
        circulated.save()
    circulated.refresh_from_db()
    assert circulated.author_name == "Drafting team"


def test_version_save_refuses_going_back_to_draft(circulated):
    circulated.status = Version.Status.DRAFT
    with pytest.raises(VersionFrozen):
        circulated.save()


def test_version_save_allows_circulated_to_superseded(circulated):
    circulated.status = Version.Status.SUPERSEDED
    circulated.save()
    circulated.refresh_from_db()
    assert circulated.status == "superseded"


def test_version_queryset_update_refuses_frozen_rows(circulated):
    with pytest.raises(VersionFrozen):
        Version.objects.filter(pk=circulated.pk).update(author_name="x")
    with pytest.raises(VersionFrozen):
        Version.objects.all().update(number=9)
    circulated.refresh_from_db()
    assert (circulated.author_name, circulated.number) == ("Drafting team", 1)


def test_version_bulk_update_refuses_frozen_rows(circulated):
    circulated.author_name = "x"
    with pytest.raises(VersionFrozen):
        Version.objects.bulk_update([circulated], ["author_name"])


def test_version_delete_refused_for_frozen_version(circulated):
    with pytest.raises(VersionFrozen):
        circulated.delete()
    with pytest.raises(VersionFrozen):
        Version.objects.filter(pk=circulated.pk).delete()
    assert Version.objects.filter(pk=circulated.pk).exists()


def test_declaration_delete_cascade_refused_when_a_version_is_frozen(circulated):
    with pytest.raises(VersionFrozen), transaction.atomic():
        circulated.declaration.delete()
    assert Paragraph.objects.filter(version=circulated).count() == 4


def test_draft_can_be_deleted_with_its_paragraphs(db):
    draft = version_with_text(DeclarationFactory(), 1)
    draft.delete()
    assert Paragraph.objects.filter(version_id=draft.pk).count() == 0


def test_paragraph_save_refuses_frozen_version(circulated):
    paragraph = circulated.paragraphs.get(position=1)
    paragraph.text_en = "Changed"
    with pytest.raises(VersionFrozen):
        paragraph.save()
    with pytest.raises(VersionFrozen):
        Paragraph.objects.create(
            version=circulated, position=9, kind="operative", text_en="New"
        )
    paragraph.refresh_from_db()
    assert paragraph.text_en == "Recalling the Global Strategy,"


def test_paragraph_queryset_update_and_delete_refuse_frozen_version(circulated):
    with pytest.raises(VersionFrozen):
        Paragraph.objects.filter(version=circulated).update(text_en="<changed>")
    with pytest.raises(VersionFrozen):
        Paragraph.objects.filter(version=circulated).delete()
    with pytest.raises(VersionFrozen):
        circulated.paragraphs.first().delete()
    assert list(
        circulated.paragraphs.order_by("position").values_list("text_en", flat=True)
    ) == [
        "Recalling the Global Strategy,",
        "Welcoming the Joint Plan,",
        "Commit to cooperate closely;",
        "Call upon donors to help.",
    ]


def test_paragraph_cannot_move_into_frozen_version(circulated):
    draft = version_with_text(circulated.declaration, 2)
    paragraph = draft.paragraphs.first()
    paragraph.version = circulated
    with pytest.raises(VersionFrozen):
        paragraph.save()
    with pytest.raises(VersionFrozen):
        Paragraph.objects.filter(pk=paragraph.pk).update(version=circulated)


def test_database_trigger_refuses_raw_update_of_frozen_version(circulated):
    table = Version._meta.db_table
    with pytest.raises(IntegrityError):
        raw(
            f"UPDATE {table} SET author_name = %s WHERE id = %s",  # noqa: S608
            ["raw", circulated.pk],
        )
    with pytest.raises(IntegrityError):
        raw(
            f"UPDATE {table} SET status = 'draft' WHERE id = %s",  # noqa: S608
            [circulated.pk],
        )
    circulated.refresh_from_db()
    assert (circulated.author_name, circulated.status) == (
        "Drafting team",
        "circulated",
    )


def test_database_trigger_refuses_raw_paragraph_changes(circulated):
    table = Paragraph._meta.db_table
    with pytest.raises(IntegrityError):
        raw(
            f"UPDATE {table} SET text_en = 'raw' WHERE version_id = %s",  # noqa: S608
            [circulated.pk],
        )
    with pytest.raises(IntegrityError):
        raw(
            f"INSERT INTO {table} (version_id, position, kind, text_en, text_ru) "  # noqa: S608
            "VALUES (%s, 99, 'operative', 'raw', 'raw')",
            [circulated.pk],
        )
    assert circulated.paragraphs.filter(text_en="raw").count() == 0


def test_database_trigger_refuses_raw_delete_on_postgres(circulated):
    from tests.services import need_postgres

    need_postgres()
    with pytest.raises(IntegrityError):
        raw(
            f"DELETE FROM {Paragraph._meta.db_table} WHERE version_id = %s",  # noqa: S608
            [circulated.pk],
        )
    with pytest.raises(IntegrityError):
        raw(
            f"DELETE FROM {Version._meta.db_table} WHERE id = %s",  # noqa: S608
            [circulated.pk],
        )
    assert circulated.paragraphs.count() == 4


def test_database_allows_circulated_to_adopted(circulated):
    Version.objects.filter(pk=circulated.pk).update(status="adopted")
    circulated.refresh_from_db()
    assert circulated.status == "adopted"


def test_number_paragraphs_labels_preambular_and_operative(circulated):
    from declaration.selectors import version_paragraphs

    paragraphs = version_paragraphs(circulated)
    assert [(p.label, p.number) for p in paragraphs] == [
        ("PP1", None),
        ("PP2", None),
        ("OP1", 1),
        ("OP2", 2),
    ]
