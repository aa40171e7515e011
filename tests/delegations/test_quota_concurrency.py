"""The funded quota holds under concurrent transactions on PostgreSQL."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from delegations.models import Delegate
from delegations.services import FundedQuotaExceeded, mark_funded
from tests.factories import DelegateFactory, DelegationFactory
from tests.services import need_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def race(workers: int, attempt) -> list[str]:
    """Run attempt(i) in `workers` threads released at once; return outcomes."""
    barrier = threading.Barrier(workers)
    outcomes = [""] * workers

    def run(i):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = attempt(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_service_calls_fund_at_most_quota():
    need_postgres()
    delegation = DelegationFactory(funded_quota=3)
    candidates = DelegateFactory.create_batch(8, delegation=delegation)

    def attempt(i):
        try:
            with transaction.atomic():
                mark_funded(Delegate.objects.get(pk=candidates[i].pk))
        except FundedQuotaExceeded as exc:
            return "refused: " + exc.messages[0]
        return "funded"

    outcomes = race(8, attempt)
    assert outcomes.count("funded") == 3
    refusals = [o for o in outcomes if o.startswith("refused")]
    assert len(refusals) == 5
    assert all("its quota of 3" in o for o in refusals)
    assert Delegate.objects.filter(delegation=delegation, funded=True).count() == 3


def test_concurrent_raw_updates_blocked_by_trigger_alone():
    """Bypassing the service (shell, raw ORM) still cannot pass the quota."""
    need_postgres()
    delegation = DelegationFactory(funded_quota=3)
    DelegateFactory.create_batch(2, delegation=delegation, funded=True)
    candidates = DelegateFactory.create_batch(6, delegation=delegation)

    def attempt(i):
        try:
            with transaction.atomic():
                Delegate.objects.filter(pk=candidates[i].pk).update(funded=True)
        except IntegrityError as exc:
            return "refused" if "funded quota exceeded" in str(exc) else str(exc)
        return "funded"

    outcomes = race(6, attempt)
    assert sorted(outcomes) == ["funded"] + ["refused"] * 5
    assert Delegate.objects.filter(delegation=delegation, funded=True).count() == 3
