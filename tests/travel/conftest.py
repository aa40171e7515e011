import datetime
from decimal import Decimal

import pytest

from tests.factories import DelegateFactory, FlightLegFactory, HotelStayFactory

UTC = datetime.UTC


@pytest.fixture
def rules(meeting):
    from travel.models import TravelRules

    return TravelRules.objects.create(
        meeting=meeting,
        dsa_label_en="Ashgabat (sample rate)",
        dsa_label_ru="Ашхабад (условная ставка)",
        dsa_rate=Decimal("200.00"),
        currency="USD",
        accommodation_reduction=Decimal(50),
        meals_reduction=Decimal(20),
        terminal_expense=Decimal("45.00"),
        budget_line_code="EU-CT-2017-04",
    )


@pytest.fixture
def traveller(meeting):
    """A funded delegate: NQZ-ASB on 12 June, back on 14 June, hotel 12-14."""
    from tests.factories import DelegationFactory

    delegate = DelegateFactory(
        delegation=DelegationFactory(meeting=meeting, name_en="Kazakhstan"),
        funded=True,
        name_latin="Nurlan Sadykov",
    )
    FlightLegFactory(delegate=delegate, fare="412.00")
    FlightLegFactory(
        delegate=delegate,
        from_airport="ASB",
        to_airport="NQZ",
        departs_at=datetime.datetime(2017, 6, 14, 7, 5, tzinfo=UTC),
        arrives_at=datetime.datetime(2017, 6, 14, 9, 40, tzinfo=UTC),
        fare="412.00",
    )
    HotelStayFactory(delegate=delegate)
    return delegate
