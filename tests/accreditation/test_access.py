"""Access matrix of the accreditation URLs: every URL × every role.

A focal point reaches its own delegation's nomination pages only: a delegate
of another delegation, a delegate's own link, staff and a random token are
the same 404; so are its badge photo pages. The review page is the
Secretariat's (review_nomination), and so is the badge issue page
(issue_badge).
"""

import pytest

from tests.access import AccessCase, matrix_ids, matrix_params, own_token, run_case

FOCAL_ONLY = {
    "anonymous": 404,
    "delegate_a": 404,
    "delegate_b": 404,
    "other_focal_point": 200,
    "drafter": 404,
    "secretariat": 404,
}
NOBODY = {**FOCAL_ONLY, "other_focal_point": 404}
SECRETARIAT = {
    "anonymous": 302,
    "delegate_a": 302,
    "delegate_b": 302,
    "other_focal_point": 302,
    "drafter": 403,
    "secretariat": 200,
}


def own_delegate(world):
    """A delegate of the other focal point's own delegation."""
    return world.other_delegation.delegates.order_by("pk").first()


def a_request(world):
    from accreditation.models import NominationRequest

    request, _new = NominationRequest.objects.get_or_create(
        delegation=world.delegation,
        kind="add",
        defaults={
            "name_latin": "Aliya Bekova",
            "name_cyrillic": "Алия Бекова",
            "position_en": "Adviser",
            "position_ru": "Советник",
            "role": "adviser",
        },
    )
    return request


def person_url(view: str, whose):
    return lambda w, r: f"/l/{own_token(w, r)}/nominations/{view}/{whose(w).pk}/"


CASES = [
    AccessCase(
        "l/<str:token>/nominations/new/",
        lambda w, r: f"/l/{own_token(w, r)}/nominations/new/",
        FOCAL_ONLY,
    ),
    AccessCase(
        "l/<str:token>/nominations/replace/<str:delegate_id>/",
        person_url("replace", own_delegate),
        FOCAL_ONLY,
    ),
    # Another delegation's delegate: the same 404 for everyone.
    AccessCase(
        "l/<str:token>/nominations/replace/<str:delegate_id>/",
        person_url("replace", lambda w: w.delegate_a),
        NOBODY,
    ),
    AccessCase(
        "l/<str:token>/nominations/withdraw/<str:delegate_id>/",
        person_url("withdraw", own_delegate),
        FOCAL_ONLY,
    ),
    AccessCase(
        "l/<str:token>/nominations/withdraw/<str:delegate_id>/",
        person_url("withdraw", lambda w: w.delegate_a),
        NOBODY,
    ),
    # Badge photos: the focal point of the delegate's own delegation only.
    AccessCase(
        "l/<str:token>/badge-photo/<str:delegate_id>/",
        lambda w, r: f"/l/{own_token(w, r)}/badge-photo/{own_delegate(w).pk}/",
        FOCAL_ONLY,
    ),
    AccessCase(
        "l/<str:token>/badge-photo/<str:delegate_id>/",
        lambda w, r: f"/l/{own_token(w, r)}/badge-photo/{w.delegate_a.pk}/",
        NOBODY,
    ),
    AccessCase(
        "l/<str:token>/badge-photo/<str:delegate_id>/",
        lambda w, r: f"/l/{own_token(w, r)}/badge-photo/{w.delegate_a.pk}/",
        NOBODY,
        method="post",
    ),
    AccessCase(
        "admin/accreditation/badge/issue/",
        lambda w, r: "/admin/accreditation/badge/issue/",
        SECRETARIAT,
    ),
    AccessCase(
        "admin/accreditation/nominationrequest/<int:pk>/review/",
        lambda w, r: (
            f"/admin/accreditation/nominationrequest/{a_request(w).pk}/review/"
        ),
        SECRETARIAT,
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    run_case(world, case, role)


def test_a_focal_point_cannot_withdraw_another_delegations_delegate(world):
    from accreditation.models import NominationRequest

    client = world.clients["other_focal_point"]
    token = world.token("other_focal_point")
    response = client.post(f"/l/{token}/nominations/withdraw/{world.delegate_a.pk}/")
    assert response.status_code == 404
    assert not NominationRequest.objects.exists()
