"""Writes of the travel desk: rules, entitlements, payments, visa fees, summaries."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from delegations.models import Delegate, HotelStay
from dialogue.models import Meeting
from travel import entitlements
from travel.models import (
    BudgetSummary,
    Entitlement,
    LumpSum,
    Payment,
    StayProvision,
    TravelRules,
    VisaFee,
)
from travel.receipts import check_receipt, random_name
from travel.selectors import itineraries, paid_per_delegate

COMPUTED_FIELDS = (
    "currency",
    "arrives_on",
    "departs_on",
    "nights",
    "accommodation_nights",
    "meals_nights",
    "journey_ends",
    "dsa_amount",
    "terminal_amount",
    "other_lines",
    "confirmed",
)


def itinerary_changed(meeting_id: int, *, delegation_ids=None) -> None:
    """dialogue.changes listener: recompute the entitlements a change touches.

    Side effects: queues travel.tasks.recompute_entitlements after commit when
    the meeting has entitlement rules (one query otherwise, nothing queued).
    """
    if not TravelRules.objects.filter(meeting_id=meeting_id).exists():
        return
    from travel.tasks import recompute_entitlements_task

    recompute_entitlements_task.enqueue(
        meeting_id=meeting_id, delegation_ids=delegation_ids
    )


def rules_for_compute(rules: TravelRules) -> entitlements.Rules:
    return entitlements.Rules(
        dsa_rate=rules.dsa_rate,
        currency=rules.currency,
        accommodation_reduction=rules.accommodation_reduction,
        meals_reduction=rules.meals_reduction,
        terminal_expense=rules.terminal_expense,
        lump_sums=tuple(
            {
                "name_en": lump.name_en,
                "name_ru": lump.name_ru,
                "amount": lump.amount,
                "currency": lump.currency,
            }
            for lump in rules.lump_sums.all()
        ),
    )


@dataclass
class Recomputed:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    flagged: int = 0
    removed: int = 0


def _figures(row) -> tuple:
    return tuple(
        getattr(row, name) if name != "other_lines" else list(row.other_lines)
        for name in COMPUTED_FIELDS
    )


def _matches(paid: dict[str, Decimal], computed: dict[str, Decimal]) -> bool:
    return {c: a for c, a in paid.items() if a} == computed


@transaction.atomic
def recompute_entitlements(
    meeting: Meeting, *, delegation_ids: Iterable[int] | None = None
) -> Recomputed:
    """Return what changed after recomputing the funded delegates' entitlements.

    delegation_ids=None means every delegation of the meeting. Side effects:
    creates, updates (only rows whose figures changed) or deletes Entitlement
    rows with their history; sets flagged_at on a changed entitlement whose
    payments no longer match it, clears it when they match again. Payments
    are never touched. A meeting without rules has nothing to compute.
    """
    result = Recomputed()
    # The rules row is the meeting's lock: two recomputes of one delegation
    # (two flight edits, two workers) would both find no entitlement and both
    # insert it; the second waits here and then finds the first one's row.
    rules = (
        TravelRules.objects.select_for_update(of=("self",))
        .filter(meeting=meeting)
        .prefetch_related("lump_sums")
        .first()
    )
    if rules is None:
        return result
    compute_rules = rules_for_compute(rules)
    delegates = itineraries(meeting, delegation_ids=delegation_ids)
    ids = [d.pk for d in delegates]
    existing = {
        e.delegate_id: e
        for e in Entitlement.objects.select_for_update().filter(
            delegate__meeting=meeting,
            **({} if delegation_ids is None else {"delegate__in": ids}),
        )
    }
    paid = paid_per_delegate(
        meeting, delegate_ids=None if delegation_ids is None else ids
    )
    now = timezone.now()
    to_create, to_update = [], []
    for delegate, legs, stays in (
        (d, d.travel_legs, d.travel_stays) for d in delegates
    ):
        if delegate.funded:
            computed = entitlements.compute(
                compute_rules, meeting.venue_airport, legs, stays
            )
        elif delegate.pk in paid:  # paid, then unfunded: nothing is due any more
            computed = entitlements.Computed(currency=rules.currency)
        else:
            continue
        row = existing.pop(delegate.pk, None)
        new = Entitlement(
            delegate=delegate,
            computed_at=now,
            **{name: getattr(computed, name) for name in COMPUTED_FIELDS},
        )
        if row is None:
            new.flagged_at = (
                now
                if delegate.pk in paid and not _matches(paid[delegate.pk], new.totals())
                else None
            )
            to_create.append(new)
            result.created += 1
            continue
        if _figures(row) == _figures(new):
            result.unchanged += 1
            continue
        for name in COMPUTED_FIELDS:
            setattr(row, name, getattr(new, name))
        row.computed_at = now
        if delegate.pk in paid:
            row.flagged_at = None if _matches(paid[delegate.pk], row.totals()) else now
        to_update.append(row)
        result.changed += 1
    # Rows left are of delegates no longer funded (or gone) and never paid.
    leftover = [pk for pk, row in existing.items() if row.delegate_id not in paid]
    if leftover:
        result.removed = len(leftover)
        for row in Entitlement.objects.filter(delegate_id__in=leftover):
            row.delete()  # one by one: each leaves its history row
    if to_create:
        bulk_create_with_history(to_create, Entitlement, batch_size=500)
    if to_update:
        bulk_update_with_history(
            to_update,
            Entitlement,
            [*COMPUTED_FIELDS, "computed_at", "flagged_at"],
            batch_size=500,
        )
    result.flagged = sum(1 for row in [*to_create, *to_update] if row.flagged_at)
    if rules.recompute_error:
        TravelRules.objects.filter(pk=rules.pk).update(recompute_error="")
    return result


def record_recompute_failure(
    *, reason: str, final: bool, meeting_id: int, **kwargs
) -> None:
    """Failure recorder of the recompute task: the rules page shows the reason."""
    if final:
        TravelRules.objects.filter(meeting_id=meeting_id).update(recompute_error=reason)


@transaction.atomic
def save_rules(rules: TravelRules) -> TravelRules:
    """Return the rules validated and saved.

    Side effects: writes the rules (and their history); queues the
    recomputation of every entitlement of the meeting after commit.
    """
    rules.currency = rules.currency.upper()
    rules.full_clean()
    rules.save()
    rules_changed(rules)
    return rules


def rules_changed(rules: TravelRules) -> None:
    """Queue the recomputation of the meeting's entitlements (after commit)."""
    from travel.tasks import recompute_entitlements_task

    recompute_entitlements_task.enqueue(meeting_id=rules.meeting_id)


@transaction.atomic
def save_lump_sum(lump: LumpSum) -> LumpSum:
    """Return the lump sum saved. Side effects: queues the recomputation."""
    lump.currency = lump.currency.upper()
    lump.full_clean()
    lump.save()
    rules_changed(lump.rules)
    return lump


@transaction.atomic
def set_stay_provision(
    stay: HotelStay, *, accommodation_provided: bool, meals_provided: bool
) -> StayProvision:
    """Return the stay's provision as given.

    Side effects: creates or updates the StayProvision (and its history);
    queues the recomputation of the delegation's entitlements.
    """
    provision, _created = StayProvision.objects.update_or_create(
        stay=stay,
        defaults={
            "accommodation_provided": accommodation_provided,
            "meals_provided": meals_provided,
        },
    )
    delegate = stay.delegate
    itinerary_changed(delegate.meeting_id, delegation_ids=[delegate.delegation_id])
    return provision


def _reflag(delegate: Delegate) -> None:
    """Clear the flag of an entitlement that the payments now match."""
    entitlement = Entitlement.objects.filter(delegate=delegate).first()
    if entitlement is None or entitlement.flagged_at is None:
        return
    paid = paid_per_delegate(delegate.meeting, delegate_ids=[delegate.pk])
    if _matches(paid.get(delegate.pk, {}), entitlement.totals()):
        entitlement.flagged_at = None
        entitlement.save(update_fields=["flagged_at"])


@transaction.atomic
def record_payment(
    delegate: Delegate,
    *,
    amount: Decimal,
    currency: str,
    paid_on: datetime.date,
    method: str,
    reference: str = "",
    cost_line: str = "dsa",
) -> Payment:
    """Return the payment recorded against the delegate's entitlement.

    Side effects: writes the Payment (and its history); clears the
    entitlement's flag when what was paid now matches it. Raises
    ValidationError for a delegate who is not funded or a bad amount.
    """
    payment = Payment(
        delegate=delegate,
        amount=amount,
        currency=currency.upper(),
        paid_on=paid_on,
        method=method,
        reference=reference,
        cost_line=cost_line,
    )
    save_payment(payment)
    return payment


def check_payable(delegate: Delegate) -> None:
    """Raise ValidationError (keyed "delegate") unless the delegate is funded."""
    if not delegate.funded:
        raise ValidationError(
            {"delegate": _("Only a funded delegate is paid an entitlement.")}
        )


@transaction.atomic
def save_payment(payment: Payment) -> Payment:
    """Return the payment validated and saved (the admin's form and
    record_payment). Side effects: as record_payment."""
    payment.currency = payment.currency.upper()
    if payment._state.adding:
        check_payable(payment.delegate)
    payment.full_clean()
    payment.save()
    _reflag(payment.delegate)
    return payment


@transaction.atomic
def save_visa_fee(fee: VisaFee, *, receipt: bytes | None = None) -> VisaFee:
    """Return the visa fee validated and saved, with its receipt if given.

    Side effects: writes the VisaFee (and its history); stores the receipt
    under a random name in private storage (travel.receipts), removing the
    one it replaces once the transaction commits. Raises ValidationError
    keyed "receipt" for a file that is not a plain PDF, JPEG or PNG within
    the size limit, and for other fields as full_clean says.
    """
    fee.currency = fee.currency.upper()
    if fee.status == VisaFee.Status.PAID:
        fee.reimbursed_on = None
    kind = None
    if receipt is not None:
        try:
            kind = check_receipt(receipt)
        except ValidationError as exc:
            raise ValidationError({"receipt": exc.messages}) from None
    fee.full_clean(exclude=["receipt"])  # before a file is written
    if kind is not None:
        # A replaced receipt stays on file: the fee's history still names it.
        fee.receipt.save(
            random_name("receipts", kind), ContentFile(receipt), save=False
        )
        fee.receipt_type = kind
    fee.save()
    return fee


@transaction.atomic
def request_budget_summary(meeting: Meeting, *, language: str) -> BudgetSummary:
    """Return the meeting's budget summary in the language, queued for a worker.

    Side effects: creates or resets the BudgetSummary row to "queued"; queues
    travel.tasks.render_budget_summary after commit.
    """
    from travel.tasks import render_budget_summary_task

    summary, _created = BudgetSummary.objects.update_or_create(
        meeting=meeting,
        language=language,
        defaults={
            "status": BudgetSummary.Status.QUEUED,
            "error": "",
            "requested_at": timezone.now(),
        },
    )
    render_budget_summary_task.enqueue(summary_id=summary.pk)
    return summary


def render_budget_summary(summary: BudgetSummary) -> BudgetSummary:
    """Return the summary after rendering its PDF (called by the worker).

    Side effects: marks it rendering (its own commit, so the page shows it),
    writes the PDF to private storage and marks it ready with its page count.
    """
    from travel.pdf import render_summary_pdf

    BudgetSummary.objects.filter(pk=summary.pk).update(
        status=BudgetSummary.Status.RENDERING
    )
    pdf, pages = render_summary_pdf(summary.meeting, summary.language)
    with transaction.atomic():
        old = summary.file.name if summary.file else ""
        summary.file.save(
            random_name("budget", "application/pdf"), ContentFile(pdf), save=False
        )
        summary.status = BudgetSummary.Status.READY
        summary.pages = pages
        summary.error = ""
        summary.rendered_at = timezone.now()
        summary.save()
    if old:  # committed: nothing names the previous file any more
        summary.file.storage.delete(old)
    return summary


def record_summary_failure(*, reason: str, final: bool, summary_id: int) -> None:
    """Failure recorder of the render task: the budget page shows the reason."""
    if final:
        BudgetSummary.objects.filter(pk=summary_id).update(
            status=BudgetSummary.Status.FAILED, error=reason
        )


# A summary still "rendering" this long after it was asked for lost its worker
# (the hard time limit would have ended the task); one "queued" for half an
# hour lost its message.
SUMMARY_QUEUED_STALE = datetime.timedelta(minutes=30)


def summary_stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)


def sweep_stuck_summaries() -> dict[str, int]:
    """Return how many budget summaries the workers' sweep failed and requeued.

    Registered in TravelConfig.ready (dialogue.sweeps). A summary whose worker
    died mid-render is marked failed with the reason, so the budget page shows
    it and its Retry button; one whose message was lost is queued again. The
    conditional updates make concurrent sweeps (one per worker) act once.
    """
    from travel.tasks import render_budget_summary_task

    now = timezone.now()
    failed = BudgetSummary.objects.filter(
        status=BudgetSummary.Status.RENDERING,
        requested_at__lt=now - summary_stale_after(),
    ).update(
        status=BudgetSummary.Status.FAILED,
        error=_("The worker stopped while rendering this summary. Retry it."),
    )
    requeued = 0
    lost = BudgetSummary.objects.filter(
        status=BudgetSummary.Status.QUEUED,
        requested_at__lt=now - SUMMARY_QUEUED_STALE,
    ).values_list("pk", "requested_at")
    for pk, requested_at in lost:
        with transaction.atomic():
            if BudgetSummary.objects.filter(
                pk=pk, status=BudgetSummary.Status.QUEUED, requested_at=requested_at
            ).update(requested_at=now):
                render_budget_summary_task.enqueue(summary_id=pk)
                requeued += 1
    return {"failed": failed, "requeued": requeued}
