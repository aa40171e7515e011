"""The entitlement arithmetic: what the rules give one delegate on one itinerary.

Definitions (the budget page and the README say the same):

- **Arrival** is the earliest non-cancelled leg landing at the venue airport;
  **departure** the latest non-cancelled leg leaving it after that arrival.
  Both are read on the venue airport's clock (its IANA zone from airportsdata),
  whatever zone the flight came from.
- **Nights** are the local calendar nights between them: the number of days
  from the arrival's local date to the departure's local date. Landing at
  00:30 on 12 June and leaving at 23:50 on 14 June is two nights (12-13,
  13-14). No arrival or no departure: no nights.
- A night is **provided** when a hotel stay whose provision says so covers it
  (check-in <= night < check-out). Its DSA is reduced by the accommodation
  and/or meals percentage (added, at most 100 %).
- **Journey ends**: the outbound journey (to the venue) and the return journey
  each have two ends, the airport left and the airport reached; terminal
  expenses are paid per end (so 4 for a round trip, 2 for a one-way trip).
- **Lump sums** are given once to every delegate who reaches the venue.
- The itinerary is **confirmed** when every leg counted is booked or ticketed.

Amounts are rounded to the cent, half up, once per line.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from delegations.validators import airport_time_zone

CENT = Decimal("0.01")
CONFIRMED_STATUSES = ("booked", "ticketed")
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Rules:
    dsa_rate: Decimal
    currency: str
    accommodation_reduction: Decimal = Decimal(0)  # percent
    meals_reduction: Decimal = Decimal(0)  # percent
    terminal_expense: Decimal = Decimal(0)
    lump_sums: tuple = ()  # ({"name_en", "name_ru", "amount", "currency"}, ...)


@dataclass(frozen=True)
class Leg:
    from_airport: str
    to_airport: str
    departs_at: datetime.datetime  # aware
    arrives_at: datetime.datetime  # aware
    status: str


@dataclass(frozen=True)
class Stay:
    check_in: datetime.date
    check_out: datetime.date
    accommodation_provided: bool = False
    meals_provided: bool = False


@dataclass
class Computed:
    currency: str
    arrives_on: datetime.date | None = None
    departs_on: datetime.date | None = None
    nights: int = 0
    accommodation_nights: int = 0
    meals_nights: int = 0
    journey_ends: int = 0
    dsa_amount: Decimal = Decimal("0.00")
    terminal_amount: Decimal = Decimal("0.00")
    other_lines: list = field(default_factory=list)
    confirmed: bool = False

    def totals(self) -> dict[str, Decimal]:
        totals = {self.currency: self.dsa_amount + self.terminal_amount}
        for line in self.other_lines:
            totals[line["currency"]] = totals.get(line["currency"], Decimal(0)) + (
                Decimal(line["amount"])
            )
        return {c: a for c, a in totals.items() if a}


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def compute(
    rules: Rules, venue_airport: str, legs: Iterable[Leg], stays: Iterable[Stay]
) -> Computed:
    """Return the entitlement the rules give for this itinerary (see the module)."""
    venue = venue_airport.upper()
    zone = zoneinfo.ZoneInfo(airport_time_zone(venue))
    active = sorted(
        (leg for leg in legs if leg.status != CANCELLED), key=lambda leg: leg.departs_at
    )
    result = Computed(currency=rules.currency)
    arrivals = [leg for leg in active if leg.to_airport.upper() == venue]
    if not arrivals:
        return result
    arrival = arrivals[0]
    departures = [
        leg
        for leg in active
        if leg.from_airport.upper() == venue and leg.departs_at >= arrival.arrives_at
    ]
    departure = departures[-1] if departures else None
    result.arrives_on = arrival.arrives_at.astimezone(zone).date()
    counted = [arrival]
    result.journey_ends = 2
    if departure is not None:
        counted.append(departure)
        result.journey_ends = 4
        result.departs_on = departure.departs_at.astimezone(zone).date()
        result.nights = max((result.departs_on - result.arrives_on).days, 0)
    result.confirmed = departure is not None and all(
        leg.status in CONFIRMED_STATUSES for leg in counted
    )

    stays = list(stays)
    full = Decimal(0)
    for offset in range(result.nights):
        night = result.arrives_on + datetime.timedelta(days=offset)
        covering = [s for s in stays if s.check_in <= night < s.check_out]
        housed = any(s.accommodation_provided for s in covering)
        fed = any(s.meals_provided for s in covering)
        result.accommodation_nights += housed
        result.meals_nights += fed
        reduction = min(
            (rules.accommodation_reduction if housed else 0)
            + (rules.meals_reduction if fed else 0),
            Decimal(100),
        )
        full += rules.dsa_rate * (Decimal(100) - reduction) / Decimal(100)
    result.dsa_amount = cents(full)
    result.terminal_amount = cents(rules.terminal_expense * result.journey_ends)
    result.other_lines = [
        {
            "name_en": lump["name_en"],
            "name_ru": lump["name_ru"],
            "amount": str(cents(Decimal(lump["amount"]))),
            "currency": lump["currency"],
        }
        for lump in rules.lump_sums
    ]
    return result
