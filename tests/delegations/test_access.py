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


STAFF_ONLY_SECRETARIAT_POST = {**STAFF_ONLY_SECRETARIAT, "secretariat": 302}


def import_job(world, kind: str, status: str):
    """Return an import job of the secretariat's user (made once per world)."""
    from django.contrib.auth import get_user_model

    from delegations.models import ImportJob

    job, _new = ImportJob.objects.get_or_create(
        meeting=world.meeting,
        kind=kind,
        status=status,
        defaults={
            "user": get_user_model().objects.get(username="secretary"),
            "file_name": "e" * 32,
            "file_format": "csv",
            "original_name": "delegates.csv",
            "error": "Boom" if status == "failed" else "",
        },
    )
    return job


def job_route(model: str, view: str = "") -> str:
    return f"admin/delegations/{model}/import/<int:job_id>/{view}"


def job_cases(model: str, kind: str) -> list:
    def url(status, view=""):
        return lambda w, r: (
            f"/admin/delegations/{model}/import/{import_job(w, kind, status).pk}/{view}"
        )

    return [
        AccessCase(job_route(model), url("previewed"), STAFF_ONLY_SECRETARIAT),
        AccessCase(
            job_route(model, "status/"),
            url("running", "status/"),
            STAFF_ONLY_SECRETARIAT,
        ),
        AccessCase(
            job_route(model, "refused.csv"),
            url("refused", "refused.csv"),
            STAFF_ONLY_SECRETARIAT,
        ),
        AccessCase(
            job_route(model, "confirm/"),
            url("previewed", "confirm/"),
            STAFF_ONLY_SECRETARIAT_POST,
            method="post",
        ),
        AccessCase(
            job_route(model, "retry/"),
            url("failed", "retry/"),
            STAFF_ONLY_SECRETARIAT_POST,
            method="post",
        ),
    ]


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
    AccessCase(
        "admin/delegations/importjob/",
        lambda w, r: "/admin/delegations/importjob/",
        STAFF_ONLY_SECRETARIAT,
    ),
    *job_cases("delegate", "delegates"),
    *job_cases("flightleg", "flights"),
    # The transport officer's page of the day's pickups (issue 14).
    AccessCase(
        "admin/delegations/delegation/pickups/",
        lambda w, r: "/admin/delegations/delegation/pickups/",
        {**STAFF_ONLY_SECRETARIAT, "transport_officer": 200},
    ),
    AccessCase(
        "admin/delegations/delegation/pickups/",
        lambda w, r: "/admin/delegations/delegation/pickups/?day=2017-06-12",
        {**STAFF_ONLY_SECRETARIAT, "transport_officer": 200},
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    run_case(world, case, role)


def test_phone_and_passport_visible_only_where_allowed(world):
    """Delegate A's phone and passport reach A, A's focal point and the secretariat
    only; never delegate B, another delegation's focal point, or a drafter."""
    import datetime

    from delegations.models import Passport

    world.delegate_a.phone = "+99312488371"
    world.delegate_a.save()
    Passport.objects.create(
        delegate=world.delegate_a,
        number="P5544332",
        nationality="KZ",
        expires_on=datetime.date(2030, 1, 1),
    )
    focal = world.links["focal_point"].token
    seen = {
        "delegate_a": f"/l/{world.token('delegate_a')}/details/",
        "focal_point": f"/l/{focal}/details/?delegate={world.delegate_a.pk}",
        "secretariat": f"/admin/delegations/delegate/{world.delegate_a.pk}/change/",
    }
    for role, url in seen.items():
        client = world.clients.get(role) or world.clients["anonymous"]
        html = client.get(url).content.decode()
        assert "P5544332" in html, role
        assert "+993 12 48-83-71" in html or "+99312488371" in html, role
    hidden = {
        "delegate_b": [
            f"/l/{world.token('delegate_b')}/",
            f"/l/{world.token('delegate_b')}/details/?delegate={world.delegate_a.pk}",
        ],
        "other_focal_point": [f"/l/{world.token('other_focal_point')}/"],
        "drafter": [
            f"/admin/delegations/delegate/{world.delegate_a.pk}/change/",
            f"/admin/delegations/delegation/{world.delegation.pk}/change/",
        ],
    }
    for role, urls in hidden.items():
        for url in urls:
            html = world.clients[role].get(url).content.decode()
            assert "P5544332" not in html, (role, url)
            assert "48-83-71" not in html and "488371" not in html, (role, url)
