"""Two recomputes of one delegation at once on PostgreSQL (two flight edits
taken by two workers): one creates the entitlement, the other finds it; none
fails on the unique row (travel.services.recompute_entitlements)."""

import threading

import pytest
from django.db import connection, transaction

from tests.services import need_postgres
from travel.models import Entitlement, TravelRules
from travel.services import recompute_entitlements

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_concurrent_recomputes_create_one_entitlement_and_both_succeed(
    meeting, rules, traveller
):
    need_postgres()
    assert connection.vendor == "postgresql"
    results, errors = [], []
    started = threading.Barrier(3)

    def recompute():
        try:
            started.wait()
            results.append(
                recompute_entitlements(
                    meeting, delegation_ids=[traveller.delegation_id]
                )
            )
        except Exception as exc:  # reported below, with its class
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    racers = [threading.Thread(target=recompute) for _ in range(2)]
    # Hold the meeting's lock while both start, so both read at the same
    # moment once it is released: the case a lock-free read-then-insert loses.
    with transaction.atomic():
        TravelRules.objects.select_for_update().get(pk=rules.pk)
        for racer in racers:
            racer.start()
        started.wait()
    for racer in racers:
        racer.join(timeout=30)
    assert errors == []
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 1), (1, 0)]
    assert Entitlement.objects.filter(delegate=traveller).count() == 1
