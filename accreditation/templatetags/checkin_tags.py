"""The dashboard's check-in counts (templates/accreditation/dashboard_checkins.html)."""

from django import template
from django.urls import reverse

from accreditation.selectors.checkin import check_in_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_check_ins(context, meeting):
    """Return the meeting's check-in counts for staff who may see check-ins,
    else None (the block is left out). Two queries."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if meeting is None or user is None:
        return None
    if not (
        user.has_perm("accreditation.view_checkin")
        or user.has_perm("accreditation.check_in")
    ):
        return None
    return {
        "rows": check_in_counts(meeting),
        "list_url": (
            reverse("admin:accreditation_checkin_changelist")
            if user.has_perm("accreditation.view_checkin")
            else ""
        ),
        "door_url": (
            reverse("admin:accreditation_checkin_door")
            if user.has_perm("accreditation.check_in")
            else ""
        ),
    }
