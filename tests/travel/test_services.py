"""Entitlements follow the itinerary; payments are kept; a change after payment
is flagged (travel.services)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from delegations.services import save_flight_leg
from tests.factories import DelegateFactory
from travel.models import Entitlement, Payment
from travel.selectors import difference, flagged_entitlements, paid_per_delegate
from travel.services import (
    recompute_entitlements,
    record_payment,
    set_stay_provision,
)

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def test_recompute_creates_the_entitlement_of_each_funded_delegate(
    meeting, rules, traveller
):
    DelegateFactory(delegation=traveller.delegation, funded=False)
    result = recompute_entitlements(meeting)
    assert (result.created, result.changed, result.flagged) == (1, 0, 0)
    entitlement = Entitlement.objects.get()
    assert entitlement.delegate == traveller
    assert (entitlement.nights, entitlement.journey_ends) == (2, 4)
    assert entitlement.dsa_amount == Decimal("400.00")
    assert entitlement.terminal_amount == Decimal("180.00")
    assert entitlement.confirmed is True
    assert recompute_entitlements(meeting).unchanged == 1


def test_a_flight_change_recomputes_through_the_change_listener(
    meeting, rules, traveller, django_capture_on_commit_callbacks
):
    recompute_entitlements(meeting)
    back = traveller.flights.get(from_airport="ASB")
    back.departs_at = datetime.datetime(2017, 6, 15, 7, 5, tzinfo=UTC)
    back.arrives_at = datetime.datetime(2017, 6, 15, 9, 40, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        save_flight_leg(back)
    entitlement = Entitlement.objects.get()
    assert entitlement.nights == 3
    assert entitlement.dsa_amount == Decimal("600.00")
    assert entitlement.flagged_at is None  # nothing was paid


def test_a_changed_flight_after_payment_is_flagged_and_the_payment_kept(
    meeting, rules, traveller, django_capture_on_commit_callbacks
):
    recompute_entitlements(meeting)
    record_payment(
        traveller,
        amount=Decimal("400.00"),
        currency="usd",
        paid_on=datetime.date(2017, 6, 12),
        method="cash",
        reference="PV-1",
    )
    record_payment(
        traveller,
        amount=Decimal("180.00"),
        currency="USD",
        paid_on=datetime.date(2017, 6, 12),
        method="cash",
        reference="PV-2",
        cost_line="terminal",
    )
    assert Entitlement.objects.get().flagged_at is None

    back = traveller.flights.get(from_airport="ASB")
    back.departs_at = datetime.datetime(2017, 6, 15, 7, 5, tzinfo=UTC)
    back.arrives_at = datetime.datetime(2017, 6, 15, 9, 40, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        save_flight_leg(back)

    entitlement = Entitlement.objects.get()
    assert entitlement.flagged_at is not None
    assert entitlement.totals() == {"USD": Decimal("780.00")}
    paid = paid_per_delegate(meeting)[traveller.pk]
    assert paid == {"USD": Decimal("580.00")}
    assert difference(entitlement, paid) == {"USD": Decimal("200.00")}
    assert [p.amount for p in Payment.objects.order_by("id")] == [
        Decimal("400.00"),
        Decimal("180.00"),
    ]
    # The history keeps the figures as they were when paid.
    assert [h.dsa_amount for h in entitlement.history.order_by("history_id")] == [
        Decimal("400.00"),
        Decimal("600.00"),
    ]
    (row,) = flagged_entitlements(meeting)
    assert row["difference"] == {"USD": Decimal("200.00")}

    # Paying the difference clears the flag.
    record_payment(
        traveller,
        amount=Decimal("200.00"),
        currency="USD",
        paid_on=datetime.date(2017, 6, 14),
        method="bank_transfer",
        reference="PV-3",
    )
    assert Entitlement.objects.get().flagged_at is None


def test_a_stay_provided_by_the_host_reduces_the_dsa(
    meeting, rules, traveller, django_capture_on_commit_callbacks
):
    recompute_entitlements(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        set_stay_provision(
            traveller.hotel_stays.get(),
            accommodation_provided=True,
            meals_provided=False,
        )
    entitlement = Entitlement.objects.get()
    assert entitlement.accommodation_nights == 2
    assert entitlement.dsa_amount == Decimal("200.00")


def test_a_cancelled_leg_counts_for_nothing(
    meeting, rules, traveller, django_capture_on_commit_callbacks
):
    recompute_entitlements(meeting)
    back = traveller.flights.get(from_airport="ASB")
    back.status = "cancelled"
    with django_capture_on_commit_callbacks(execute=True):
        save_flight_leg(back)
    entitlement = Entitlement.objects.get()
    assert (entitlement.nights, entitlement.journey_ends) == (0, 2)
    assert entitlement.dsa_amount == Decimal("0.00")
    assert entitlement.terminal_amount == Decimal("90.00")


def test_an_unfunded_delegate_loses_an_unpaid_entitlement(meeting, rules, traveller):
    recompute_entitlements(meeting)
    traveller.funded = False
    traveller.save()
    assert recompute_entitlements(meeting).removed == 1
    assert Entitlement.objects.count() == 0


def test_an_unfunded_delegate_already_paid_keeps_a_flagged_zero(
    meeting, rules, traveller
):
    recompute_entitlements(meeting)
    record_payment(
        traveller,
        amount=Decimal("580.00"),
        currency="USD",
        paid_on=datetime.date(2017, 6, 12),
        method="cash",
    )
    traveller.funded = False
    traveller.save()
    recompute_entitlements(meeting)
    entitlement = Entitlement.objects.get()
    assert entitlement.totals() == {}
    assert entitlement.flagged_at is not None


def test_only_a_funded_delegate_is_paid(meeting, rules):
    with pytest.raises(ValidationError) as caught:
        record_payment(
            DelegateFactory(delegation__meeting=meeting),
            amount=Decimal("1"),
            currency="USD",
            paid_on=datetime.date(2017, 6, 12),
            method="cash",
        )
    assert caught.value.message_dict == {
        "delegate": ["Only a funded delegate is paid an entitlement."]
    }


def test_no_rules_no_entitlement(meeting, traveller):
    assert recompute_entitlements(meeting).created == 0
