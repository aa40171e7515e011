"""The one home of a delegate's travel: what each reader gets."""

import datetime

import pytest

from delegations.models import Delegate
from delegations.selectors import delegates_with_travel, prefetch_travel, readiness
from delegations.services import issue_itinerary_link, revoke_link
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    FlightLegFactory,
    HotelStayFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def traveller():
    """A delegate with a cancelled leg between two others, and two stays."""
    delegate = DelegateFactory()
    for day, number, status in ((12, "KC1", "ticketed"), (11, "KC0", "cancelled")):
        FlightLegFactory(
            delegate=delegate,
            flight_number=number,
            status=status,
            departs_at=datetime.datetime(2017, 6, day, 3, tzinfo=UTC),
            arrives_at=datetime.datetime(2017, 6, day, 5, tzinfo=UTC),
        )
    FlightLegFactory(
        delegate=delegate,
        flight_number="KC2",
        departs_at=datetime.datetime(2017, 6, 14, 3, tzinfo=UTC),
        arrives_at=datetime.datetime(2017, 6, 14, 5, tzinfo=UTC),
    )
    HotelStayFactory(
        delegate=delegate,
        check_in=datetime.date(2017, 6, 13),
        check_out=datetime.date(2017, 6, 14),
    )
    HotelStayFactory(
        delegate=delegate,
        check_in=datetime.date(2017, 6, 12),
        check_out=datetime.date(2017, 6, 13),
    )
    return delegate


def numbers(delegate) -> list[str]:
    return [flight.flight_number for flight in delegate.flights.all()]


def test_prefetch_travel_with_cancelled_flights_keeps_them_in_trip_order(
    traveller, django_assert_num_queries
):
    with django_assert_num_queries(4):
        (delegate,) = prefetch_travel(
            Delegate.objects.filter(pk=traveller.pk), cancelled_flights=True
        )
        assert numbers(delegate) == ["KC0", "KC1", "KC2"]
        assert [s.check_in.day for s in delegate.hotel_stays.all()] == [12, 13]
        assert list(delegate.transfers.all()) == []


def test_prefetch_travel_without_cancelled_flights_leaves_them_out(traveller):
    (delegate,) = prefetch_travel(
        Delegate.objects.filter(pk=traveller.pk), cancelled_flights=False
    )
    assert numbers(delegate) == ["KC1", "KC2"]


def test_delegates_with_travel_reads_meeting_and_travel_in_four_queries(
    traveller, django_assert_num_queries
):
    DelegateFactory(delegation=traveller.delegation)
    with django_assert_num_queries(4):
        delegates = delegates_with_travel(
            Delegate.objects.filter(delegation=traveller.delegation).order_by("id"),
            cancelled_flights=False,
        )
        assert [d.delegation.meeting.slug for d in delegates] == [
            traveller.delegation.meeting.slug
        ] * 2
        assert [numbers(d) for d in delegates] == [["KC1", "KC2"], []]


def test_readiness_counts_each_delegate_once_whatever_their_legs_and_links(
    db, django_assert_num_queries
):
    open_legs = DelegationFactory(name_en="Openland", funded_quota=1)
    funded = DelegateFactory(delegation=open_legs, funded=True)
    FlightLegFactory(delegate=funded, status="ticketed")
    FlightLegFactory(delegate=funded, status="ticketed")
    FlightLegFactory(delegate=funded, status="booked")
    HotelStayFactory(delegate=funded)
    revoked = issue_itinerary_link(funded)
    revoked.sent_at = revoked.created_at
    revoked.save()
    revoke_link(revoked)
    issue_itinerary_link(funded)  # active, not sent
    focal = issue_itinerary_link(open_legs)
    focal.sent_at = focal.created_at
    focal.save()
    DelegationFactory(meeting=open_legs.meeting, name_en="Emptyland")
    with django_assert_num_queries(2):
        rows = {row.delegation.name_en: row for row in readiness(open_legs.meeting)}
    assert rows["Openland"].missing == [
        "tickets not all issued",
        "links not all sent",
    ]
    assert (rows["Openland"].funded_count, rows["Openland"].hotel_booked) == (1, True)
    assert rows["Emptyland"].missing == [
        "0 of 3 funded delegates named",
        "hotel not booked for everyone",
        "links not all sent",
    ]


def test_readiness_shows_accreditation_beside_it_counting_forward(ashgabat):
    from delegations.services import advance_accreditation

    kazakh = Delegate.objects.filter(delegation__country_code="KZ").order_by("pk")
    advance_accreditation(kazakh[0], "checked_in")
    advance_accreditation(kazakh[1], "badge_printed")
    rows = {row.delegation.country_code: row for row in readiness(ashgabat)}
    kz, tj = rows["KZ"], rows["TJ"]
    assert (
        kz.delegate_count,
        kz.accredited_count,
        kz.badge_printed_count,
        kz.checked_in_count,
    ) == (3, 3, 2, 1)
    assert kz.all_accredited and not tj.all_accredited
    assert (tj.accredited_count, tj.delegate_count) == (0, 3)
    # Accreditation is shown, not a condition of readiness.
    assert all("accredit" not in " ".join(row.missing) for row in rows.values())
