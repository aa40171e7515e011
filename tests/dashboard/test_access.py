"""Access matrix of the meeting dashboard (the admin's home)."""

import pytest

from tests.access import AccessCase, matrix_ids, matrix_params, run_case

ADMIN_LOGIN_REDIRECT = {
    "anonymous": 302,
    "delegate_a": 302,
    "delegate_b": 302,
    "other_focal_point": 302,
}
STAFF = {**ADMIN_LOGIN_REDIRECT, "drafter": 200, "secretariat": 200}

CASES = [
    AccessCase("admin/", lambda w, r: "/admin/", STAFF),
    AccessCase("admin/", lambda w, r: f"/admin/?meeting={w.meeting.pk}", STAFF),
    AccessCase(
        "admin/",
        lambda w, r: "/admin/?meeting=999999",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 404, "secretariat": 404},
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    run_case(world, case, role)


def test_drafter_sees_no_travel_figure(world):
    html = world.clients["drafter"].get("/admin/").content.decode()
    assert 'id="dashboard-delegations"' in html
    for section in ("funding", "travel", "documents"):
        assert f'id="dashboard-{section}"' not in html
