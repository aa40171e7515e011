"""funded_count: kept by the database's triggers on SQLite and PostgreSQL alike.

delegations/migrations/0007_funded_count.py; the races are in
test_quota_concurrency.py (PostgreSQL).
"""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from delegations.models import Delegate, Delegation
from delegations.services import (
    FundedQuotaExceeded,
    explain_quota_error,
    mark_funded,
)
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = pytest.mark.django_db


def counts(delegation: Delegation) -> tuple[int, int]:
    """Return the delegation's funded_count and its funded delegates, as stored."""
    stored = Delegation.objects.get(pk=delegation.pk).funded_count
    return stored, Delegate.objects.filter(delegation=delegation, funded=True).count()


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_funded_count_follows_insert_flip_move_and_delete():
    delegation = DelegationFactory(funded_quota=3)
    other = DelegationFactory(meeting=delegation.meeting, funded_quota=3)
    funded = DelegateFactory(delegation=delegation, funded=True)
    unfunded = DelegateFactory(delegation=delegation)
    assert counts(delegation) == (1, 1)

    mark_funded(unfunded)
    assert counts(delegation) == (2, 2)
    Delegate.objects.filter(pk=unfunded.pk).update(funded=False)
    assert counts(delegation) == (1, 1)

    Delegate.objects.filter(pk=funded.pk).update(delegation=other)
    assert counts(delegation) == (0, 0)
    assert counts(other) == (1, 1)

    # An unfunded delegate moving or leaving counts for nothing.
    Delegate.objects.filter(pk=unfunded.pk).update(delegation=other)
    Delegate.objects.filter(pk=unfunded.pk).delete()
    assert counts(other) == (1, 1)

    Delegate.objects.filter(pk=funded.pk).delete()
    assert counts(other) == (0, 0)


def test_funded_count_follows_raw_sql():
    delegation = DelegationFactory(funded_quota=3)
    delegate = DelegateFactory(delegation=delegation)
    raw(
        "UPDATE delegations_delegate SET funded = %s WHERE id = %s",
        (True, delegate.pk),
    )
    assert counts(delegation) == (1, 1)
    raw("DELETE FROM delegations_delegate WHERE id = %s", (delegate.pk,))
    assert counts(delegation) == (0, 0)


def test_fourth_funded_delegate_refused_by_the_count():
    delegation = DelegationFactory(funded_quota=3, name_en="Kyrgyzstan")
    DelegateFactory.create_batch(3, delegation=delegation, funded=True)
    fourth = DelegateFactory(delegation=delegation)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Delegate.objects.filter(pk=fourth.pk).update(funded=True)
    assert counts(delegation) == (3, 3)
    error = explain_quota_error(refused.value, delegation)
    assert isinstance(error, FundedQuotaExceeded)
    assert (
        "Kyrgyzstan already has 3 funded delegates, its quota of 3"
        in (error.messages[0])
    )


def test_quota_below_the_funded_refused_by_the_check():
    delegation = DelegationFactory(funded_quota=3, name_en="Uzbekistan")
    DelegateFactory.create_batch(2, delegation=delegation, funded=True)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Delegation.objects.filter(pk=delegation.pk).update(funded_quota=1)
    # PostgreSQL's trigger says it in words; SQLite names the check.
    assert (
        'funded quota exceeded: delegation "Uzbekistan" would have 2 funded '
        "delegate(s), more than its quota of 1" in str(refused.value)
        if connection.vendor == "postgresql"
        else "CHECK constraint failed: delegation_funded_within_quota"
        in str(refused.value)
    )
    assert isinstance(
        explain_quota_error(refused.value, delegation), FundedQuotaExceeded
    )
    delegation.refresh_from_db()
    assert delegation.funded_quota == 3


def test_save_of_a_stale_delegation_keeps_the_count():
    """The instance read before delegates were funded never writes its 0 back."""
    delegation = DelegationFactory(funded_quota=3)
    stale = Delegation.objects.get(pk=delegation.pk)
    DelegateFactory.create_batch(2, delegation=delegation, funded=True)
    assert stale.funded_count == 0
    stale.funded_quota = 2  # with the stale 0 written too, this would pass
    stale.save()
    assert counts(delegation) == (2, 2)
    stale.save(update_fields=["funded_quota", "funded_count"])
    assert counts(delegation) == (2, 2)


def test_writing_funded_count_directly_changes_nothing():
    delegation = DelegationFactory(funded_quota=3)
    DelegateFactory.create_batch(2, delegation=delegation, funded=True)
    Delegation.objects.filter(pk=delegation.pk).update(funded_count=0)
    assert counts(delegation) == (2, 2)
    raw(
        "UPDATE delegations_delegation SET funded_count = 1 WHERE id = %s",
        (delegation.pk,),
    )
    assert counts(delegation) == (2, 2)


def test_a_new_delegation_is_counted_from_its_rows_not_the_value_given():
    delegation = Delegation.objects.create(
        meeting=DelegationFactory().meeting,
        kind=Delegation.Kind.MEMBER_STATE,
        name_en="Kazakhstan",
        name_ru="Казахстан",
        funded_quota=3,
        funded_count=2,
    )
    assert counts(delegation) == (0, 0)


def test_loaddata_leaves_correct_counts_and_loading_again_keeps_them():
    call_command("loaddata", "ashgabat_2017", verbosity=0)
    expected = {
        "Kazakhstan": 3,
        "Kyrgyzstan": 3,
        "Tajikistan": 3,
        "Turkmenistan": 3,
        "Uzbekistan": 3,
        "European Union": 0,
        "Afghanistan": 0,
        "United Nations": 0,
    }

    def stored():
        return dict(Delegation.objects.values_list("name_en", "funded_count"))

    assert stored() == expected
    # The file has no funded_count: each row is written again with 0.
    call_command("loaddata", "ashgabat_2017", app_label="delegations", verbosity=0)
    assert stored() == expected
    for delegation in Delegation.objects.all():
        assert counts(delegation) == (expected[delegation.name_en],) * 2


TRIGGERS = {
    "postgresql": {
        ("delegations_delegate", "delegations_delegate_count_funded"),
        ("delegations_delegation", "delegations_delegation_keep_funded_count"),
        ("delegations_delegation", "delegations_delegation_no_truncate"),
        ("delegations_delegate", "delegations_delegate_no_truncate"),
    },
    "sqlite": {
        ("delegations_delegate", "delegations_delegate_count_insert"),
        ("delegations_delegate", "delegations_delegate_count_delete"),
        ("delegations_delegate", "delegations_delegate_count_update"),
        ("delegations_delegation", "delegations_delegation_count_insert"),
        ("delegations_delegation", "delegations_delegation_keep_funded_count"),
    },
}


def test_counting_triggers_are_installed():
    """A later migration that rebuilds a table on SQLite drops its triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE "
                "'delegations_delegat%'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name LIKE 'delegations_delegat%'"
            )
        installed = set(cursor.fetchall())
    assert installed >= TRIGGERS[connection.vendor]
    assert not {name for _table, name in installed} & {
        "delegate_funded_quota",
        "delegate_funded_quota_insert",
        "delegate_funded_quota_update",
        "delegation_quota_not_below_funded",
    }
