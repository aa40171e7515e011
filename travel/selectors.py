"""Reads of the travel desk, each a fixed number of queries however many seats.

The budget's three columns, for each cost line (the budget page says the same):

- **estimated**: everything the current itineraries would cost: fares of every
  non-cancelled leg (requested, booked or ticketed), every computed
  entitlement, every recorded visa fee;
- **committed**: what is booked: fares of booked or ticketed legs, the
  entitlements whose itinerary is confirmed (every leg counted booked or
  ticketed), every recorded visa fee (the delegate has paid it);
- **paid**: money that went out: ticketed fares (a ticket is issued once the
  fare is paid), the payments recorded per cost line, visa fees reimbursed.

Cost lines: fares, DSA, terminal expenses, other costs (the rules' lump sums
and visa fees). Funded delegates only; cancelled legs count for nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from delegations.models import Delegate, Delegation, FlightLeg, HotelStay
from dialogue.i18n import normalise_language
from dialogue.models import Meeting
from travel import entitlements
from travel.models import (
    BudgetSummary,
    CostLine,
    Entitlement,
    Payment,
    TravelRules,
    VisaFee,
)

LINES = (CostLine.FARE, CostLine.DSA, CostLine.TERMINAL, CostLine.OTHER)
STAGES = ("estimated", "committed", "paid")
ZERO = Decimal("0.00")


def itineraries(meeting: Meeting, *, delegation_ids=None) -> list[Delegate]:
    """Return the meeting's funded (or already paid) delegates, each with
    `travel_legs` and `travel_stays` for travel.entitlements. Four queries."""
    scope = Q(delegation__meeting=meeting)
    if delegation_ids is not None:
        scope &= Q(delegation_id__in=list(delegation_ids))
    delegates = list(
        Delegate.objects.filter(scope)
        .filter(Q(funded=True) | Q(travel_payments__isnull=False))
        .distinct()
        .order_by("id")
    )
    ids = [d.pk for d in delegates]
    legs = defaultdict(list)
    for row in FlightLeg.objects.filter(delegate_id__in=ids).values_list(
        "delegate_id",
        "from_airport",
        "to_airport",
        "departs_at",
        "arrives_at",
        "status",
    ):
        legs[row[0]].append(entitlements.Leg(*row[1:]))
    stays = defaultdict(list)
    for row in HotelStay.objects.filter(delegate_id__in=ids).values_list(
        "delegate_id",
        "check_in",
        "check_out",
        "provision__accommodation_provided",
        "provision__meals_provided",
    ):
        stays[row[0]].append(
            entitlements.Stay(row[1], row[2], bool(row[3]), bool(row[4]))
        )
    for delegate in delegates:
        delegate.travel_legs = legs[delegate.pk]
        delegate.travel_stays = stays[delegate.pk]
    return delegates


def paid_per_delegate(
    meeting: Meeting, *, delegate_ids=None
) -> dict[int, dict[str, Decimal]]:
    """Return {delegate id: {currency: amount paid}}. One query."""
    payments = Payment.objects.filter(delegate__meeting=meeting)
    if delegate_ids is not None:
        payments = payments.filter(delegate_id__in=list(delegate_ids))
    paid: dict = defaultdict(dict)
    for delegate_id, currency, total in (
        payments.values("delegate_id", "currency")
        .annotate(total=Sum("amount"))
        .values_list("delegate_id", "currency", "total")
        .order_by()
    ):
        paid[delegate_id][currency] = total
    return dict(paid)


def difference(entitlement: Entitlement, paid: dict[str, Decimal]) -> dict:
    """Return {currency: computed - paid}, the currencies that differ only."""
    computed = entitlement.totals()
    return {
        currency: computed.get(currency, ZERO) - paid.get(currency, ZERO)
        for currency in sorted(set(computed) | set(paid))
        if computed.get(currency, ZERO) != paid.get(currency, ZERO)
    }


def rules_of(meeting: Meeting | None) -> TravelRules | None:
    if meeting is None:
        return None
    return TravelRules.objects.filter(meeting=meeting).first()


# The budget --------------------------------------------------------------------


def _amounts() -> dict:
    return {(line, stage): ZERO for line in LINES for stage in STAGES}


@dataclass
class CostRow:
    """One delegation (or the total) in one currency."""

    label: str
    currency: str
    amounts: dict = field(default_factory=_amounts)
    sort_key: tuple = ()

    def add(self, line: str, stage: str, amount: Decimal) -> None:
        self.amounts[(line, stage)] += amount

    def get(self, line: str, stage: str) -> Decimal:
        return self.amounts[(line, stage)]

    def stage_total(self, stage: str) -> Decimal:
        return sum((self.amounts[(line, stage)] for line in LINES), ZERO)

    @property
    def cells(self) -> list[dict]:
        """Return the amounts in the page's column order."""
        return [
            {"line": line, "stage": stage, "amount": self.amounts[(line, stage)]}
            for line in LINES
            for stage in STAGES
        ]

    @property
    def by_line(self) -> list[dict]:
        """Return one entry per cost line that is not all zero: its label and
        its three amounts."""
        entries = [
            {
                "line": line,
                "label": line_label(line),
                "amounts": [self.amounts[(line, stage)] for stage in STAGES],
            }
            for line in LINES
        ]
        return [entry for entry in entries if any(entry["amounts"])]

    @property
    def totals(self) -> list[Decimal]:
        return [self.stage_total(stage) for stage in STAGES]


@dataclass(frozen=True)
class SeatLine:
    """One funded seat's cost line in one currency (the donor export's rows)."""

    delegation_order: tuple
    delegation: str
    delegate: str
    delegate_id: int
    line: str
    currency: str
    estimated: Decimal
    committed: Decimal
    paid: Decimal


@dataclass
class Budget:
    rows: list[CostRow]
    totals: list[CostRow]
    seat_lines: list[SeatLine]
    flagged: int
    rules: TravelRules | None


def budget(meeting: Meeting | None) -> Budget:
    """Return the meeting's full travel cost per delegation, seat and currency.

    Seven queries whatever the number of delegations, delegates and legs.
    """
    if meeting is None:
        return Budget([], [], [], 0, None)
    rules = rules_of(meeting)
    russian = normalise_language(None) == "ru"
    delegations = {
        d.pk: d
        for d in Delegation.objects.filter(meeting=meeting).only(
            "pk", "name_en", "name_ru", "sort_order"
        )
    }
    funded = Delegate.objects.filter(meeting=meeting, funded=True).values_list(
        "pk", "delegation_id", "name_latin", "name_cyrillic", "sort_order"
    )
    delegates = {row[0]: row[1:] for row in funded}
    # seat -> (line, currency) -> [estimated, committed, paid]
    seats: dict = defaultdict(lambda: defaultdict(lambda: [ZERO, ZERO, ZERO]))

    for delegate_id, currency, status, fare in (
        FlightLeg.objects.filter(delegate__meeting=meeting, delegate__funded=True)
        .exclude(status=FlightLeg.Status.CANCELLED)
        .values_list("delegate_id", "currency", "status", "fare")
    ):
        cell = seats[delegate_id][(CostLine.FARE, currency)]
        amount = fare or ZERO
        cell[0] += amount
        if status in entitlements.CONFIRMED_STATUSES:
            cell[1] += amount
        if status == FlightLeg.Status.TICKETED:
            cell[2] += amount

    flagged = 0
    for (
        delegate_id,
        currency,
        dsa,
        terminal,
        others,
        confirmed,
        flagged_at,
    ) in Entitlement.objects.filter(
        delegate__meeting=meeting, delegate__funded=True
    ).values_list(
        "delegate_id",
        "currency",
        "dsa_amount",
        "terminal_amount",
        "other_lines",
        "confirmed",
        "flagged_at",
    ):
        flagged += flagged_at is not None
        seat = seats[delegate_id]
        parts = [
            (CostLine.DSA, currency, dsa),
            (CostLine.TERMINAL, currency, terminal),
        ] + [
            (CostLine.OTHER, line["currency"], Decimal(line["amount"]))
            for line in others
        ]
        for line, line_currency, amount in parts:
            cell = seat[(line, line_currency)]
            cell[0] += amount
            if confirmed:
                cell[1] += amount

    for delegate_id, line, currency, total in (
        Payment.objects.filter(delegate__meeting=meeting, delegate__funded=True)
        .values("delegate_id", "cost_line", "currency")
        .annotate(total=Sum("amount"))
        .values_list("delegate_id", "cost_line", "currency", "total")
        .order_by()
    ):
        seats[delegate_id][(line, currency)][2] += total

    for delegate_id, currency, status, amount in VisaFee.objects.filter(
        delegate__meeting=meeting, delegate__funded=True
    ).values_list("delegate_id", "currency", "status", "amount"):
        cell = seats[delegate_id][(CostLine.OTHER, currency)]
        cell[0] += amount
        cell[1] += amount
        if status == VisaFee.Status.REIMBURSED:
            cell[2] += amount

    seat_lines = []
    rows: dict = {}
    totals: dict = {}
    line_order = {line: index for index, line in enumerate(LINES)}
    for delegate_id, cells in seats.items():
        if delegate_id not in delegates:
            continue
        delegation_id, latin, cyrillic, delegate_order = delegates[delegate_id]
        delegation = delegations[delegation_id]
        name = (
            (delegation.name_ru or delegation.name_en)
            if russian
            else delegation.name_en
        )
        order = (delegation.sort_order, delegation.name_en, delegation_id)
        for (line, currency), (estimated, committed, paid) in cells.items():
            if not (estimated or committed or paid):
                continue  # a host delegate's empty entitlement, say
            seat_lines.append(
                SeatLine(
                    order + (delegate_order, delegate_id, line_order[line]),
                    name,
                    (cyrillic or latin) if russian else latin,
                    delegate_id,
                    line,
                    currency,
                    estimated,
                    committed,
                    paid,
                )
            )
            row = rows.setdefault(
                (order, currency), CostRow(name, currency, sort_key=(order, currency))
            )
            total = totals.setdefault(currency, CostRow(_("Total"), currency))
            for stage, amount in zip(STAGES, (estimated, committed, paid), strict=True):
                row.add(line, stage, amount)
                total.add(line, stage, amount)
    seat_lines.sort(key=lambda s: (s.delegation_order, s.currency))
    return Budget(
        rows=[rows[key] for key in sorted(rows)],
        totals=[totals[currency] for currency in sorted(totals)],
        seat_lines=seat_lines,
        flagged=flagged,
        rules=rules,
    )


def line_label(line: str) -> str:
    return str(CostLine(line).label)


def budget_summaries(meeting: Meeting | None) -> dict[str, BudgetSummary]:
    """Return the meeting's PDF summaries by language. One query."""
    if meeting is None:
        return {}
    return {s.language: s for s in BudgetSummary.objects.filter(meeting=meeting)}


def flagged_entitlements(meeting: Meeting) -> list[dict]:
    """Return the flagged entitlements with their differences. Two queries."""
    rows = list(
        Entitlement.objects.filter(
            delegate__meeting=meeting, flagged_at__isnull=False
        ).select_related("delegate__delegation")
    )
    paid = paid_per_delegate(meeting, delegate_ids=[e.delegate_id for e in rows])
    return [
        {
            "entitlement": e,
            "difference": difference(e, paid.get(e.delegate_id, {})),
        }
        for e in rows
    ]
