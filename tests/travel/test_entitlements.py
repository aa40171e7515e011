"""The entitlement arithmetic on known itineraries (travel.entitlements)."""

import datetime
from decimal import Decimal

from travel.entitlements import Leg, Rules, Stay, compute

UTC = datetime.UTC
RULES = Rules(
    dsa_rate=Decimal("200.00"),
    currency="USD",
    accommodation_reduction=Decimal(50),
    meals_reduction=Decimal(20),
    terminal_expense=Decimal("45.00"),
)


def at(*parts):
    return datetime.datetime(*parts, tzinfo=UTC)


def leg(frm, to, departs, arrives, status="ticketed"):
    return Leg(frm, to, departs, arrives, status)


# Ashgabat is UTC+5 all year.
OUT = leg("NQZ", "ASB", at(2017, 6, 12, 3, 10), at(2017, 6, 12, 5, 55))
BACK = leg("ASB", "NQZ", at(2017, 6, 14, 7, 5), at(2017, 6, 14, 9, 40))


def test_round_trip_counts_local_nights_and_four_journey_ends():
    result = compute(RULES, "ASB", [OUT, BACK], [])
    assert (result.arrives_on, result.departs_on) == (
        datetime.date(2017, 6, 12),
        datetime.date(2017, 6, 14),
    )
    assert result.nights == 2
    assert result.journey_ends == 4
    assert result.dsa_amount == Decimal("400.00")
    assert result.terminal_amount == Decimal("180.00")
    assert result.confirmed is True
    assert result.totals() == {"USD": Decimal("580.00")}


def test_nights_across_midnight_use_the_venue_date():
    # Lands 19:30 UTC on the 11th = 00:30 on the 12th in Ashgabat; leaves
    # 18:55 UTC on the 14th = 23:55 local: two nights, not the three of UTC.
    late_in = leg("NQZ", "ASB", at(2017, 6, 11, 16, 40), at(2017, 6, 11, 19, 30))
    late_out = leg("ASB", "NQZ", at(2017, 6, 14, 18, 55), at(2017, 6, 14, 21, 30))
    result = compute(RULES, "ASB", [late_out, late_in], [])
    assert result.arrives_on == datetime.date(2017, 6, 12)
    assert result.departs_on == datetime.date(2017, 6, 14)
    assert result.nights == 2
    assert result.dsa_amount == Decimal("400.00")


def test_nights_across_time_zones_use_the_venue_airport_clock():
    # Leaves Istanbul at 20:00 (UTC+3) on the 12th, lands 01:10 on the 13th in
    # Ashgabat; leaves Ashgabat 22:00 on the 14th: one night (UTC dates: two).
    out = leg("IST", "ASB", at(2017, 6, 12, 17, 0), at(2017, 6, 12, 20, 10))
    back = leg("ASB", "IST", at(2017, 6, 14, 17, 0), at(2017, 6, 14, 20, 30))
    result = compute(RULES, "ASB", [out, back], [])
    assert result.arrives_on == datetime.date(2017, 6, 13)
    assert result.nights == 1
    assert result.dsa_amount == Decimal("200.00")
    assert result.terminal_amount == Decimal("180.00")


def test_connecting_legs_are_not_journey_ends():
    via = leg("ALA", "IST", at(2017, 6, 11, 20, 0), at(2017, 6, 12, 1, 0))
    out = leg("IST", "ASB", at(2017, 6, 12, 2, 0), at(2017, 6, 12, 5, 0))
    result = compute(RULES, "ASB", [via, out, BACK], [])
    assert result.journey_ends == 4
    assert result.nights == 2


def test_a_stay_provided_by_the_host_reduces_its_nights_only():
    stays = [
        Stay(datetime.date(2017, 6, 12), datetime.date(2017, 6, 13), True, False),
        Stay(datetime.date(2017, 6, 13), datetime.date(2017, 6, 14)),
    ]
    result = compute(RULES, "ASB", [OUT, BACK], stays)
    assert result.accommodation_nights == 1
    assert result.meals_nights == 0
    assert result.dsa_amount == Decimal("300.00")  # 200 x 50 % + 200


def test_accommodation_and_meals_reductions_add_up():
    stays = [Stay(datetime.date(2017, 6, 12), datetime.date(2017, 6, 14), True, True)]
    result = compute(RULES, "ASB", [OUT, BACK], stays)
    assert (result.accommodation_nights, result.meals_nights) == (2, 2)
    assert result.dsa_amount == Decimal("120.00")  # 2 x 200 x (100 - 70) %


def test_reductions_never_exceed_the_whole_rate():
    rules = Rules(
        dsa_rate=Decimal("100"),
        currency="USD",
        accommodation_reduction=Decimal(80),
        meals_reduction=Decimal(40),
    )
    stays = [Stay(datetime.date(2017, 6, 12), datetime.date(2017, 6, 14), True, True)]
    assert compute(rules, "ASB", [OUT, BACK], stays).dsa_amount == Decimal("0.00")


def test_a_cancelled_leg_is_ignored():
    cancelled = leg("NQZ", "ASB", OUT.departs_at, OUT.arrives_at, "cancelled")
    rebooked = leg(
        "NQZ", "ASB", at(2017, 6, 13, 0, 10), at(2017, 6, 13, 3, 0), "booked"
    )
    result = compute(RULES, "ASB", [cancelled, rebooked, BACK], [])
    assert result.arrives_on == datetime.date(2017, 6, 13)
    assert result.nights == 1
    assert result.journey_ends == 4
    assert result.dsa_amount == Decimal("200.00")


def test_a_requested_leg_leaves_the_itinerary_unconfirmed():
    requested = leg("ASB", "NQZ", BACK.departs_at, BACK.arrives_at, "requested")
    result = compute(RULES, "ASB", [OUT, requested], [])
    assert result.confirmed is False
    assert result.dsa_amount == Decimal("400.00")


def test_one_way_gives_two_journey_ends_and_no_nights():
    result = compute(RULES, "ASB", [OUT], [])
    assert (result.nights, result.journey_ends) == (0, 2)
    assert result.terminal_amount == Decimal("90.00")
    assert result.confirmed is False


def test_no_trip_to_the_venue_gives_nothing():
    result = compute(RULES, "ASB", [], [])
    assert result.totals() == {}
    assert result.other_lines == []


def test_lump_sums_keep_their_currency_and_round_half_up():
    rules = Rules(
        dsa_rate=Decimal("123.45"),
        currency="USD",
        accommodation_reduction=Decimal("33.33"),
        lump_sums=(
            {
                "name_en": "Briefing kit",
                "name_ru": "Комплект материалов",
                "amount": "60",
                "currency": "EUR",
            },
        ),
    )
    stays = [Stay(datetime.date(2017, 6, 12), datetime.date(2017, 6, 13), True)]
    result = compute(rules, "ASB", [OUT, BACK], stays)
    # 123.45 x 66.67 % = 82.304115, + 123.45 = 205.754115 -> 205.75
    assert result.dsa_amount == Decimal("205.75")
    assert result.other_lines == [
        {
            "name_en": "Briefing kit",
            "name_ru": "Комплект материалов",
            "amount": "60.00",
            "currency": "EUR",
        }
    ]
    assert result.totals() == {"USD": Decimal("205.75"), "EUR": Decimal("60.00")}
