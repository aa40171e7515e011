"""Concurrent imports on PostgreSQL: each file is all or nothing, and together
they never pass the funded quota."""

import pytest

from delegations.models import Delegate
from delegations.resources import import_file
from tests.delegations.test_quota_concurrency import race
from tests.delegations.test_resources import DELEGATE_HEADER, delegate_row, to_csv
from tests.factories import DelegationFactory, MeetingFactory
from tests.services import need_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_concurrent_imports_each_all_or_nothing_within_quota():
    need_postgres()
    meeting = MeetingFactory()
    DelegationFactory(
        meeting=meeting, country_code="KZ", name_en="Kazakhstan", funded_quota=3
    )
    # Four files, each funding two delegates of the same delegation (quota 3)
    # next to an unfunded one: at most one file can go in, and whole.
    files = [
        to_csv(
            DELEGATE_HEADER,
            [
                delegate_row(f"{i}a", funded="yes"),
                delegate_row(f"{i}b", funded="yes"),
                delegate_row(f"{i}c", funded="no"),
            ],
        )
        for i in range(4)
    ]

    def attempt(i):
        outcome = import_file(
            files[i], kind="delegates", file_format="csv", meeting=meeting
        )
        return "refused" if outcome.problems else "imported"

    outcomes = race(4, attempt)
    assert sorted(outcomes) == ["imported", "refused", "refused", "refused"]
    assert Delegate.objects.count() == 3
    assert Delegate.objects.filter(funded=True).count() == 2
