"""What a funded seat costs beyond its fare, and what was paid for it.

The rules are per meeting (TravelRules, LumpSum). An Entitlement holds what the
rules give a funded delegate on their current itinerary (computed by
travel.services.recompute_entitlements); Payment rows hold what was paid. The
two are never mixed: a recomputation rewrites the computed figures only, and
flags the entitlement when it no longer matches what was paid.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from delegations.models import Delegate, HotelStay
from delegations.validators import validate_currency
from dialogue.i18n import localized
from dialogue.models import Meeting
from travel.receipts import receipt_storage

MONEY = {"max_digits": 12, "decimal_places": 2}
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class TravelRules(models.Model):
    """The entitlement rules of one meeting, in the venue city's DSA currency."""

    meeting = models.OneToOneField(
        Meeting,
        on_delete=models.CASCADE,
        related_name="travel_rules",
        verbose_name=_("meeting"),
    )
    dsa_label_en = models.CharField(
        _("DSA rate label (English)"),
        max_length=200,
        help_text=_("Where the rate comes from, e.g. the ICSC circular."),
    )
    dsa_label_ru = models.CharField(_("DSA rate label (Russian)"), max_length=200)
    dsa_rate = models.DecimalField(
        _("DSA rate per night"), validators=[MinValueValidator(0)], **MONEY
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="USD",
        validators=[validate_currency],
        help_text=_("Of the DSA rate and the terminal expenses."),
    )
    accommodation_reduction = models.DecimalField(
        _("reduction when accommodation is provided (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(50),
        validators=PERCENT,
    )
    meals_reduction = models.DecimalField(
        _("reduction when meals are provided (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=PERCENT,
    )
    terminal_expense = models.DecimalField(
        _("terminal expense per journey end"),
        default=Decimal(0),
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    budget_line_code = models.CharField(
        _("budget line code"),
        max_length=40,
        blank=True,
        help_text=_(
            "The donor's code for this meeting's travel, on every export line."
        ),
    )
    recompute_error = models.TextField(_("last recomputation error"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entitlement rules")
        verbose_name_plural = _("entitlement rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(dsa_rate__gte=0, terminal_expense__gte=0),
                name="travelrules_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    accommodation_reduction__gte=0,
                    accommodation_reduction__lte=100,
                    meals_reduction__gte=0,
                    meals_reduction__lte=100,
                ),
                name="travelrules_reductions_are_percents",
            ),
        ]

    def __str__(self) -> str:
        return str(self.meeting)

    def dsa_label(self, lang: str | None = None) -> str:
        return localized(self, "dsa_label", lang)


class LumpSum(models.Model):
    """Another fixed amount every funded delegate who travels is entitled to."""

    rules = models.ForeignKey(
        TravelRules,
        on_delete=models.CASCADE,
        related_name="lump_sums",
        verbose_name=_("rules"),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(0)], **MONEY
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", validators=[validate_currency]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lump sum")
        verbose_name_plural = _("lump sums")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="lumpsum_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name_en

    def name(self, lang: str | None = None) -> str:
        return localized(self, "name", lang)


class StayProvision(models.Model):
    """What the host provides during a hotel stay (an extension of HotelStay)."""

    stay = models.OneToOneField(
        HotelStay,
        on_delete=models.CASCADE,
        related_name="provision",
        verbose_name=_("hotel stay"),
    )
    accommodation_provided = models.BooleanField(
        _("accommodation provided by the host"), default=False
    )
    meals_provided = models.BooleanField(_("meals provided by the host"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("provided stay")
        verbose_name_plural = _("provided stays")

    def __str__(self) -> str:
        return str(self.stay)


class Entitlement(models.Model):
    """What the rules give a funded delegate on their itinerary (computed).

    Written only by travel.services.recompute_entitlements. `flagged_at` is set
    when a recomputation changed an entitlement that payments already covered
    and the payments no longer match it; the paid figures are never touched.
    """

    delegate = models.OneToOneField(
        Delegate,
        on_delete=models.CASCADE,
        related_name="entitlement",
        verbose_name=_("delegate"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    arrives_on = models.DateField(_("arrival at the venue"), null=True, blank=True)
    departs_on = models.DateField(_("departure from the venue"), null=True, blank=True)
    nights = models.PositiveSmallIntegerField(_("nights"), default=0)
    accommodation_nights = models.PositiveSmallIntegerField(
        _("nights with accommodation provided"), default=0
    )
    meals_nights = models.PositiveSmallIntegerField(
        _("nights with meals provided"), default=0
    )
    journey_ends = models.PositiveSmallIntegerField(_("journey ends"), default=0)
    dsa_amount = models.DecimalField(_("DSA"), default=Decimal(0), **MONEY)
    terminal_amount = models.DecimalField(
        _("terminal expenses"), default=Decimal(0), **MONEY
    )
    # [{"name_en", "name_ru", "amount" (str), "currency"}]: the lump sums given.
    other_lines = models.JSONField(_("other lump sums"), default=list, blank=True)
    confirmed = models.BooleanField(
        _("itinerary confirmed"),
        default=False,
        help_text=_("Every leg counted is booked or ticketed."),
    )
    computed_at = models.DateTimeField(_("computed"))
    flagged_at = models.DateTimeField(
        _("recomputed after payment"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["delegate__delegation__sort_order", "delegate__sort_order", "id"]
        permissions = [("record_payment", _("Can record travel payments"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(accommodation_nights__lte=models.F("nights"))
                & Q(meals_nights__lte=models.F("nights")),
                name="entitlement_provided_nights_within_nights",
            ),
            models.CheckConstraint(
                condition=Q(dsa_amount__gte=0, terminal_amount__gte=0),
                name="entitlement_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.delegate)

    def totals(self) -> dict[str, Decimal]:
        """Return the entitlement's total per currency."""
        totals = {self.currency: self.dsa_amount + self.terminal_amount}
        for line in self.other_lines:
            totals[line["currency"]] = totals.get(line["currency"], Decimal(0)) + (
                Decimal(line["amount"])
            )
        return {c: a for c, a in totals.items() if a}


class CostLine(models.TextChoices):
    FARE = "fare", _("fares")
    DSA = "dsa", _("DSA")
    TERMINAL = "terminal", _("terminal expenses")
    OTHER = "other", _("other costs")


class Payment(models.Model):
    """An amount paid to a funded delegate against their entitlement."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("bank transfer")
        CASH = "cash", _("cash")
        CHEQUE = "cheque", _("cheque")
        CARD = "card", _("payment card")

    PAYABLE = [
        (CostLine.DSA.value, CostLine.DSA.label),
        (CostLine.TERMINAL.value, CostLine.TERMINAL.label),
        (CostLine.OTHER.value, CostLine.OTHER.label),
    ]

    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.PROTECT,
        related_name="travel_payments",
        verbose_name=_("delegate"),
    )
    cost_line = models.CharField(
        _("for"), max_length=10, choices=PAYABLE, default=CostLine.DSA
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", validators=[validate_currency]
    )
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0), name="payment_amount_not_zero"
            ),
            models.CheckConstraint(
                condition=Q(cost_line__in=["dsa", "terminal", "other"]),
                name="payment_cost_line_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} {self.amount} {self.currency} {self.paid_on}"


class VisaFee(models.Model):
    """A visa fee a delegate paid, and whether it was reimbursed."""

    class Status(models.TextChoices):
        PAID = "paid", _("paid by the delegate")
        REIMBURSED = "reimbursed", _("reimbursed")

    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.PROTECT,
        related_name="visa_fees",
        verbose_name=_("delegate"),
    )
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(0)], **MONEY
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", validators=[validate_currency]
    )
    paid_on = models.DateField(_("paid on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PAID
    )
    reimbursed_on = models.DateField(_("reimbursed on"), null=True, blank=True)
    receipt = models.FileField(
        _("receipt"), storage=receipt_storage, blank=True, max_length=100
    )
    receipt_type = models.CharField(
        _("receipt type"), max_length=40, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visa fee")
        verbose_name_plural = _("visa fees")
        ordering = ["paid_on", "id"]
        permissions = [("view_receipt", _("Can open visa fee receipts"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="visafee_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="paid", reimbursed_on__isnull=True)
                | Q(status="reimbursed", reimbursed_on__isnull=False),
                name="visafee_reimbursed_has_date",
                violation_error_message=_(
                    "A reimbursed fee has a reimbursement date, and only it."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} {self.amount} {self.currency}"


class BudgetSummary(models.Model):
    """The budget's PDF summary of one meeting in one language, made by a worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RENDERING = "rendering", _("rendering")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="budget_summaries",
        verbose_name=_("meeting"),
    )
    language = models.CharField(_("language"), max_length=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(
        _("file"), storage=receipt_storage, blank=True, max_length=100
    )
    pages = models.PositiveIntegerField(_("pages"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"))
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)

    class Meta:
        verbose_name = _("budget summary")
        verbose_name_plural = _("budget summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "language"], name="budgetsummary_one_per_language"
            ),
            models.CheckConstraint(
                condition=Q(language__in=["en", "ru"]),
                name="budgetsummary_language_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="budgetsummary_failure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} ({self.language})"
