"""The delegates import in bulk: the queries do not grow with the rows, every
imported delegate has its history, the documents are told once per batch, and
a row the database refuses at the bulk write is still named."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from delegations.models import Delegate
from delegations.resources.delegates import DelegateResource
from delegations.services import BulkRefusal, write_validated_delegates
from dialogue import changes
from tests.delegations.test_resources import delegate_row, import_delegates
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def delegations(meeting):
    return [
        DelegationFactory(
            meeting=meeting, country_code=code, name_en=name, funded_quota=3
        )
        for code, name in (("KZ", "Kazakhstan"), ("KG", "Kyrgyzstan"))
    ]


def rows(n, *, start=0, funded=4, **changes):
    """n delegates over Kazakhstan and Kyrgyzstan, the first funded ones (two
    of each by default) funded."""
    return [
        delegate_row(
            i,
            delegation=("KZ", "KG")[i % 2],
            funded="yes" if i - start < funded else "no",
            **changes,
        )
        for i in range(start, start + n)
    ]


def writes_rows(sql: str) -> bool:
    """Whether a statement writes delegates' rows (or their history rows)."""
    sql = sql.lstrip().upper()
    return sql.startswith(("INSERT", "WITH")) and "DELEGATE" in sql.split("(")[0]


def queries_to_import(meeting, file_rows, **kw) -> tuple[int, int]:
    """Return the queries an import ran: (the others, those writing rows)."""
    with CaptureQueriesContext(connection) as queries:
        outcome = import_delegates(meeting, file_rows, **kw)
    assert outcome.ok, outcome.problems[:3]
    writes = [q for q in queries.captured_queries if writes_rows(q["sql"])]
    return len(queries.captured_queries) - len(writes), len(writes)


def assert_same_queries(small, large, rows_large):
    """The same reads, and writes of many rows each (PostgreSQL takes a batch
    in one INSERT; SQLite's 999 parameters split it into a few)."""
    assert small[0] == large[0]
    assert large[1] <= max(4, rows_large // 20)


def test_import_queries_do_not_grow_with_rows(meeting, delegations):
    small = queries_to_import(meeting, rows(50), dry_run=True)
    large = queries_to_import(meeting, rows(500), dry_run=True)
    assert_same_queries(small, large, 500)
    # Written for real, and again as updates.
    new_small = queries_to_import(meeting, rows(50, start=1000))
    new_large = queries_to_import(meeting, rows(500, start=2000, funded=2))
    assert_same_queries(new_small, new_large, 500)
    assert Delegate.objects.filter(meeting=meeting).count() == 550
    changed_small = queries_to_import(
        meeting, rows(50, start=1000, position_en="Counsellor")
    )
    changed_large = queries_to_import(
        meeting, rows(500, start=2000, funded=2, position_en="Counsellor")
    )
    assert_same_queries(changed_small, changed_large, 500)
    assert Delegate.objects.filter(position_en="Counsellor").count() == 550
    # Past a batch (1,000 rows), a few queries more per batch.
    batches = queries_to_import(meeting, rows(2500, start=5000, funded=0), dry_run=True)
    assert batches[0] <= large[0] + 2 * 10  # two batches more, 7 queries each
    assert batches[1] <= 2500 // 20


def test_imported_delegates_have_their_history(meeting, delegations):
    user = get_user_model().objects.create(username="secretariat")
    outcome = import_delegates(meeting, rows(30), user=user)
    assert outcome.written == {"new": 30, "update": 0}
    created = Delegate.history.filter(history_type="+")
    assert created.count() == 30
    assert set(created.values_list("history_user", flat=True)) == {user.pk}
    assert set(created.values_list("id", flat=True)) == set(
        Delegate.objects.values_list("pk", flat=True)
    )
    # Again with a new position: one change each, with the new value.
    outcome = import_delegates(meeting, rows(30, position_en="Counsellor"), user=user)
    assert outcome.written == {"new": 0, "update": 30}
    changed = Delegate.history.filter(history_type="~")
    assert changed.count() == 30
    assert set(changed.values_list("position_en", flat=True)) == {"Counsellor"}
    assert set(changed.values_list("history_user", flat=True)) == {user.pk}
    assert set(Delegate.objects.values_list("position_en", flat=True)) == {"Counsellor"}


def test_import_tells_the_documents_once_per_batch(meeting, delegations):
    told = []

    def listener(meeting_id, delegation_ids=None):
        told.append((meeting_id, delegation_ids))

    changes.subscribe(listener)
    try:
        import_delegates(meeting, rows(1500))
    finally:
        changes._listeners.remove(listener)
    # Two batches (1,000 and 500 rows), each a change of the whole meeting's
    # list of participants.
    assert told == [(meeting.pk, None), (meeting.pk, None)]


def test_funded_places_counted_across_batches(meeting, delegations):
    """The fourth funded delegate of a delegation is refused even when the
    first three are in an earlier batch of the same file."""
    file_rows = rows(DelegateResource._meta.batch_size + 10)
    file_rows[-3]["funded"] = "yes"  # Kyrgyzstan's third (rows 3 and 5 before)
    file_rows[-2]["funded"] = "yes"  # Kazakhstan's third
    file_rows[-1]["funded"] = "yes"  # Kyrgyzstan's fourth: past the quota
    outcome = import_delegates(meeting, file_rows)
    assert [(p.row, p.column) for p in outcome.problems] == [
        (len(file_rows) + 1, "funded")
    ]
    assert "Kyrgyzstan already has 3 funded delegates" in outcome.problems[0].message
    assert Delegate.objects.count() == 0


def test_bulk_write_refused_by_the_database_names_the_delegate(meeting, delegations):
    """A row that passed the checks but whose email another writer took since
    (here: stored without the import knowing) is refused by the database's
    index; the batch is tried row by row, so the refusal names that delegate."""
    kazakhstan = delegations[0]
    DelegateFactory(delegation=kazakhstan, email="taken@mfa.example")
    fine = Delegate(
        delegation=kazakhstan,
        meeting=meeting,
        name_latin="Fine",
        name_cyrillic="Хорошо",
        position_en="Adviser",
        position_ru="Советник",
        role="adviser",
        email="fine@mfa.example",
    )
    clash = Delegate(
        delegation=kazakhstan,
        meeting=meeting,
        name_latin="Clash",
        name_cyrillic="Конфликт",
        position_en="Adviser",
        position_ru="Советник",
        role="adviser",
        email="TAKEN@mfa.example",
    )
    with pytest.raises(BulkRefusal) as caught, transaction.atomic():
        write_validated_delegates([fine, clash])
    ((delegate, error),) = caught.value.refusals
    assert delegate is clash
    assert error.message_dict == {
        "email": ["Another delegate of this meeting has this email."]
    }
    assert Delegate.objects.count() == 1  # rolled back with the transaction
