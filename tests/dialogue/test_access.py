"""Access matrix of the project-level URLs and a sample of the admin."""

import pytest

from tests.access import AccessCase, matrix_ids, matrix_params, run_case

EVERYONE = dict.fromkeys(
    [
        "anonymous",
        "delegate_a",
        "delegate_b",
        "other_focal_point",
        "drafter",
        "secretariat",
    ],
    200,
)
ADMIN_LOGIN_REDIRECT = {
    "anonymous": 302,
    "delegate_a": 302,
    "delegate_b": 302,
    "other_focal_point": 302,
}

CASES = [
    AccessCase("", lambda w, r: "/", EVERYONE),
    AccessCase("healthz", lambda w, r: "/healthz", EVERYONE),
    AccessCase(
        "i18n/setlang/",
        lambda w, r: "/i18n/setlang/",
        dict.fromkeys(EVERYONE, 302),
        method="post",
        data={"language": "ru", "next": "/"},
    ),
    AccessCase(
        "admin/",
        lambda w, r: "/admin/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 200, "secretariat": 200},
    ),
    AccessCase(
        "admin/dialogue/meeting/",
        lambda w, r: "/admin/dialogue/meeting/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 200, "secretariat": 200},
    ),
    AccessCase(
        "admin/dialogue/meeting/<path:object_id>/change/",
        lambda w, r: f"/admin/dialogue/meeting/{w.meeting.pk}/change/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 200, "secretariat": 200},
    ),
    # django-otp's key and QR pages: refused to everyone (keys are shown once,
    # by `manage.py two_factor`).
    *[
        AccessCase(
            f"admin/otp_totp/totpdevice/<int:pk>/{page}/",
            lambda w, r, page=page: f"/admin/otp_totp/totpdevice/1/{page}/",
            {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 403},
        )
        for page in ("config", "qrcode")
    ],
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    run_case(world, case, role)
