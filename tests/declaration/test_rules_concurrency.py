"""Frozen versions stay frozen under concurrent transactions at every isolation
level, and TRUNCATE is refused (PostgreSQL;
declaration/migrations/0004_rules_under_every_isolation.py).
"""

import datetime
import threading

import psycopg2
import pytest

from declaration.models import Version
from declaration.services import record_adoption
from tests import raw_pg
from tests.declaration.factories import TEXT, DeclarationFactory, version_with_text
from tests.services import need_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WRITERS = 9
REFUSED_AT = {
    # Waits for the freeze, then reads the version as circulated.
    raw_pg.READ_COMMITTED: raw_pg.CHECK_VIOLATION,
    raw_pg.REPEATABLE_READ: raw_pg.SERIALIZATION_FAILURE,
    raw_pg.SERIALIZABLE: raw_pg.SERIALIZATION_FAILURE,
}

FREEZE = """
UPDATE declaration_version
SET status = 'circulated', circulated_at = now(),
    comment_deadline = now() + interval '10 days'
WHERE id = %s
"""


def paragraph_write(version_id: int, i: int) -> tuple[str, tuple]:
    """Return writer i's statement: change, add or delete a paragraph."""
    if i % 3 == 0:
        return (
            "UPDATE declaration_paragraph SET text_en = 'Rewritten' "
            "WHERE version_id = %s AND position = %s",
            (version_id, i // 3 + 1),
        )
    if i % 3 == 1:
        return (
            "INSERT INTO declaration_paragraph "
            "(version_id, position, kind, text_en, text_ru) "
            "VALUES (%s, %s, 'operative', 'Added', 'Добавлено')",
            (version_id, 20 + i),
        )
    return (
        "DELETE FROM declaration_paragraph WHERE version_id = %s AND position = 4",
        (version_id,),
    )


def stored_text(version_id: int) -> list[tuple]:
    return raw_pg.query(
        "SELECT kind, text_en, text_ru FROM declaration_paragraph "
        "WHERE version_id = %s ORDER BY position",
        (version_id,),
    )


@pytest.mark.parametrize("isolation", raw_pg.ISOLATION_LEVELS)
def test_paragraph_writers_refused_by_a_concurrent_freeze(isolation):
    """Nine writers read the version as a draft, then change its paragraphs
    while another transaction circulates it; none of their changes lands.

    Each writer's snapshot is taken before the freeze; the freeze's UPDATE
    holds the version row while they write, and commits once all of them wait
    for it.
    """
    need_postgres()
    version = version_with_text(DeclarationFactory())
    read = threading.Barrier(WRITERS + 1, timeout=30)
    frozen = threading.Event()
    outcomes = [""] * WRITERS
    writers = [raw_pg.connect(isolation) for _ in range(WRITERS)]
    pids = [w.get_backend_pid() for w in writers]

    def write(i):
        raw = writers[i]
        try:
            with raw.cursor() as cursor:
                cursor.execute(
                    "SELECT status FROM declaration_version WHERE id = %s",
                    (version.pk,),
                )
                assert cursor.fetchone() == ("draft",)
                read.wait()
                frozen.wait(timeout=30)
                cursor.execute(*paragraph_write(version.pk, i))
            raw.commit()
            outcomes[i] = raw_pg.COMMITTED
        except psycopg2.Error as exc:
            raw.rollback()
            outcomes[i] = exc.pgcode
        finally:
            raw.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    freezer = raw_pg.connect(isolation)
    try:
        read.wait()
        with freezer.cursor() as cursor:
            cursor.execute(FREEZE, (version.pk,))
        frozen.set()
        raw_pg.wait_until_blocked(pids)
        freezer.commit()
    finally:
        freezer.close()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes == [REFUSED_AT[isolation]] * WRITERS
    assert stored_text(version.pk) == [tuple(p) for p in TEXT]
    assert raw_pg.query(
        "SELECT status FROM declaration_version WHERE id = %s", (version.pk,)
    ) == [("circulated",)]


def test_a_writer_whose_snapshot_missed_the_freeze_fails_to_serialize():
    """REPEATABLE READ: the freeze committed after this writer's snapshot."""
    need_postgres()
    version = version_with_text(DeclarationFactory())
    writer = raw_pg.connect(raw_pg.REPEATABLE_READ)
    try:
        with writer.cursor() as cursor:
            cursor.execute(
                "SELECT status FROM declaration_version WHERE id = %s", (version.pk,)
            )
            assert cursor.fetchone() == ("draft",)
            freezer = raw_pg.connect()
            with freezer.cursor() as freeze:
                freeze.execute(FREEZE, (version.pk,))
            freezer.commit()
            freezer.close()
            with pytest.raises(psycopg2.Error) as refused:
                cursor.execute(*paragraph_write(version.pk, 0))
        writer.rollback()
    finally:
        writer.close()
    assert refused.value.pgcode == raw_pg.SERIALIZATION_FAILURE
    assert stored_text(version.pk) == [tuple(p) for p in TEXT]


# TRUNCATE ----------------------------------------------------------------------

PROTECTED = [
    "declaration_version",
    "declaration_paragraph",
    "declaration_comment",
    "declaration_circulation",
    "declaration_adoption",
]


def row_counts() -> dict[str, int]:
    return {
        table: raw_pg.query(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608
        for table in PROTECTED
    }


@pytest.mark.parametrize("table", [*PROTECTED, "declaration_declaration"])
def test_truncate_refused_unless_allowed_on_purpose(ashgabat, table):
    """declaration_declaration is not guarded itself; its CASCADE reaches ours."""
    need_postgres()
    circulated = Version.objects.get(status=Version.Status.CIRCULATED)
    record_adoption(
        circulated, adopted_on=datetime.date(2017, 6, 13), by_acclamation=True
    )
    before = row_counts()
    assert all(before.values()), before
    raw = raw_pg.connect()
    try:
        with raw.cursor() as cursor:
            with pytest.raises(psycopg2.Error) as refused:
                cursor.execute(f"TRUNCATE {table} CASCADE")
            raw.rollback()
            assert refused.value.pgcode == raw_pg.RESTRICT_VIOLATION
            assert "refused: declaration versions freeze once circulated" in str(
                refused.value
            )
            # The switch from the migration's docstring, rolled back afterwards.
            cursor.execute("SET LOCAL dialogue.allow_truncate = 'on'")
            cursor.execute(f"TRUNCATE {table} CASCADE")
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone() == (0,)
            raw.rollback()
    finally:
        raw.close()
    assert row_counts() == before
