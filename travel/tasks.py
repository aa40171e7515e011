"""The travel desk's Celery tasks: recompute entitlements, render the summary."""

from celery import shared_task

from dialogue.models import Meeting
from travel.models import BudgetSummary
from travel.services import recompute_entitlements, render_budget_summary


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    failure_recorder="travel.services.record_recompute_failure",
)
def recompute_entitlements_task(
    self, *, meeting_id: int, delegation_ids: list[int] | None = None
) -> str:
    """Recompute the entitlements of the meeting (or of these delegations).

    Idempotent: a duplicate run finds the figures unchanged and writes nothing.
    Returns the counts, for the worker's log.
    """
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return "gone"
    return str(recompute_entitlements(meeting, delegation_ids=delegation_ids))


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    failure_recorder="travel.services.record_summary_failure",
)
def render_budget_summary_task(self, *, summary_id: int) -> str:
    """Render the budget summary PDF; return its state."""
    summary = BudgetSummary.objects.select_related("meeting").filter(pk=summary_id)
    summary = summary.first()
    if summary is None:
        return "gone"
    return render_budget_summary(summary).status
