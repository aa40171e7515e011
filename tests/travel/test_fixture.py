"""The 2017 entitlements in travel/fixtures/ashgabat_2017.json."""

import datetime
from decimal import Decimal

import pytest

from delegations.models import Delegate, FlightLeg
from travel.models import Entitlement, Payment, TravelRules
from travel.selectors import budget, flagged_entitlements
from travel.services import recompute_entitlements

pytestmark = pytest.mark.django_db


def test_the_dsa_rate_is_marked_as_sample_data(ashgabat):
    rules = TravelRules.objects.get(meeting=ashgabat)
    assert "SAMPLE DATA" in rules.dsa_label_en
    assert "ОБРАЗЕЦ" in rules.dsa_label_ru
    assert (rules.dsa_rate, rules.terminal_expense) == (
        Decimal("180.00"),
        Decimal("38.00"),
    )


def test_every_funded_delegate_has_the_entitlement_the_rules_compute(ashgabat):
    funded = set(
        Delegate.objects.filter(meeting=ashgabat, funded=True).values_list(
            "pk", flat=True
        )
    )
    assert set(Entitlement.objects.values_list("delegate_id", flat=True)) == funded
    result = recompute_entitlements(ashgabat)
    assert (result.created, result.changed, result.unchanged) == (0, 0, len(funded))
    # Tajikistan's hotel is provided by the host: half the DSA.
    tajik = Entitlement.objects.get(delegate__name_latin="Firuz Rahimzoda")
    assert (tajik.accommodation_nights, tajik.dsa_amount) == (2, Decimal("180.00"))


def test_one_delegate_whose_flight_changed_after_the_dsa_was_paid(ashgabat):
    (row,) = flagged_entitlements(ashgabat)
    entitlement = row["entitlement"]
    assert entitlement.delegate.name_latin == "Nurlan Sadykov"
    assert row["difference"] == {"USD": Decimal("180.00")}
    assert sorted(
        Payment.objects.filter(delegate=entitlement.delegate).values_list(
            "amount", flat=True
        )
    ) == [Decimal("152.00"), Decimal("180.00")]
    # The history shows the one night paid, and the flight as first booked.
    assert [h.nights for h in entitlement.history.order_by("history_date")] == [1, 2]
    leg = FlightLeg.objects.get(delegate=entitlement.delegate, from_airport="ASB")
    first = leg.history.order_by("history_date").first()
    assert first.departs_at == datetime.datetime(
        2017, 6, 13, 13, 30, tzinfo=datetime.UTC
    )
    assert budget(ashgabat).flagged == 1
