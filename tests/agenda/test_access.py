"""Access matrix of the agenda URLs: every URL × every role.

The public programme answers the same 404 for an unpublished meeting as for an
unknown one; staff views need the programme's view permission, which Drafters
and the Secretariat have.
"""

import pytest

from tests.access import AccessCase, matrix_ids, matrix_params, run_case
from tests.roles import ROLES

EVERYONE = dict.fromkeys(ROLES, 200)
NO_ONE = dict.fromkeys(ROLES, 404)
STAFF_VIEW = {
    "anonymous": 302,
    "delegate_a": 302,
    "delegate_b": 302,
    "other_focal_point": 302,
    "drafter": 200,
    "secretariat": 200,
}

CASES = [
    AccessCase(
        "programme/<slug:slug>/",
        lambda w, r: f"/programme/{w.published.slug}/",
        EVERYONE,
    ),
    AccessCase(
        "programme/<slug:slug>/",
        lambda w, r: f"/programme/{w.meeting.slug}/",
        NO_ONE,
    ),
    AccessCase("programme/<slug:slug>/", lambda w, r: "/programme/nowhere/", NO_ONE),
    AccessCase(
        "admin/agenda/session/<int:session_id>/speakers/",
        lambda w, r: f"/admin/agenda/session/{w.session.pk}/speakers/?lang=ru",
        STAFF_VIEW,
    ),
    AccessCase(
        "admin/agenda/session/day/",
        lambda w, r: f"/admin/agenda/session/day/?meeting={w.meeting.pk}",
        STAFF_VIEW,
    ),
    AccessCase(
        "admin/agenda/session/",
        lambda w, r: "/admin/agenda/session/",
        STAFF_VIEW,
    ),
    AccessCase(
        "admin/agenda/session/<path:object_id>/change/",
        lambda w, r: f"/admin/agenda/session/{w.session.pk}/change/",
        STAFF_VIEW,
    ),
    AccessCase(
        "admin/agenda/session/add/",
        lambda w, r: "/admin/agenda/session/add/",
        {**STAFF_VIEW, "drafter": 403},
    ),
    AccessCase(
        "admin/agenda/room/",
        lambda w, r: "/admin/agenda/room/",
        STAFF_VIEW,
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(programme_world, case, role):
    run_case(programme_world, case, role)


def test_drafter_cannot_change_a_session(programme_world):
    client = programme_world.clients["drafter"]
    url = f"/admin/agenda/session/{programme_world.session.pk}/change/"
    response = client.post(url, {"title_en": "Renamed"})
    assert response.status_code == 403
