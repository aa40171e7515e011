"""Access matrix of the outbox (admin)."""

import pytest

from delegations.services import send_itinerary_link
from tests.access import AccessCase, matrix_ids, matrix_params, run_case

ADMIN_LOGIN_REDIRECT = {
    "anonymous": 302,
    "delegate_a": 302,
    "delegate_b": 302,
    "other_focal_point": 302,
}


def first_email(world) -> int:
    from dialogue.outbox.models import Email

    return Email.objects.filter(meeting=world.meeting).values_list("pk", flat=True)[0]


CASES = [
    AccessCase(
        "admin/outbox/email/",
        lambda w, r: "/admin/outbox/email/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/outbox/email/<path:object_id>/change/",
        lambda w, r: f"/admin/outbox/email/{first_email(w)}/change/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/outbox/email/",
        lambda w, r: "/admin/outbox/email/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 302},
        method="post",
        data={"action": "resend", "_selected_action": ["1"]},
    ),
]


@pytest.fixture
def world(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_itinerary_link(world.links["delegate_a"])
    return world


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    run_case(world, case, role)
