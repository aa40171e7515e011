"""Access matrix of the delegations URLs: every URL × every role.

Link roles request with their own token; staff and anonymous have none and use a
random one. Wrong, revoked and expired links are the same 404 (test_views.py).
"""

import pytest

from tests.access import AccessCase, matrix_ids, matrix_params, own_token, run_case

LINK_OK = {
    "anonymous": 404,
    "delegate_a": 200,
    "delegate_b": 200,
    "other_focal_point": 200,
    "drafter": 404,
    "secretariat": 404,
}
STAFF_ONLY_SECRETARIAT = {
    "anonymous": 302,
    "delegate_a": 302,
    "delegate_b": 302,
    "other_focal_point": 302,
    "drafter": 403,
    "secretariat": 200,
}


def details_of_delegate_a(world, role):
    # Each role asks for delegate A's form with its own link: a delegate link
    # always shows its own delegate, another delegation's focal point gets 404.
    return f"/l/{own_token(world, role)}/details/?delegate={world.delegate_a.pk}"


CASES = [
    AccessCase("l/<str:token>/", lambda w, r: f"/l/{own_token(w, r)}/", LINK_OK),
    AccessCase(
        "l/<str:token>/calendar.ics",
        lambda w, r: f"/l/{own_token(w, r)}/calendar.ics",
        LINK_OK,
    ),
    AccessCase(
        "l/<str:token>/details/",
        details_of_delegate_a,
        {**LINK_OK, "other_focal_point": 404},
    ),
    AccessCase(
        "admin/delegations/delegation/readiness/",
        lambda w, r: "/admin/delegations/delegation/readiness/",
        STAFF_ONLY_SECRETARIAT,
    ),
    AccessCase(
        "admin/delegations/delegation/budget/",
        lambda w, r: "/admin/delegations/delegation/budget/",
        STAFF_ONLY_SECRETARIAT,
    ),
    AccessCase(
        "admin/delegations/delegate/",
        lambda w, r: "/admin/delegations/delegate/",
        STAFF_ONLY_SECRETARIAT,
    ),
    AccessCase(
        "admin/delegations/delegate/<path:object_id>/change/",
        lambda w, r: f"/admin/delegations/delegate/{w.delegate_a.pk}/change/",
        STAFF_ONLY_SECRETARIAT,
    ),
    AccessCase(
        "admin/delegations/delegation/",
        lambda w, r: "/admin/delegations/delegation/",
        {**STAFF_ONLY_SECRETARIAT, "drafter": 200},
    ),
    AccessCase(
        "admin/delegations/accesslink/",
        lambda w, r: "/admin/delegations/accesslink/",
        STAFF_ONLY_SECRETARIAT,
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    run_case(world, case, role)
