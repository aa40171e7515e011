"""Access matrix of the project-level URLs and a sample of the admin."""

import pytest

from tests.access import AccessCase, matrix_ids, matrix_params, own_token, run_case

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
    AccessCase(
        "admin/dialogue/workerheartbeat/",
        lambda w, r: "/admin/dialogue/workerheartbeat/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    # Packs (issue 6): downloads through links, staff downloads, visa letters.
    *[
        AccessCase(
            "l/<str:token>/pack/<str:language>.pdf",
            lambda w, r, lang=lang: f"/l/{own_token(w, r)}/pack/{lang}.pdf",
            {
                "anonymous": 404,
                "delegate_a": 200,
                "delegate_b": 200,
                "other_focal_point": 200,
                "drafter": 404,
                "secretariat": 404,
            },
        )
        for lang in ("en", "ru", "bilingual")
    ],
    AccessCase(
        "l/<str:token>/pack/<str:language>.pdf",
        lambda w, r: f"/l/{own_token(w, r)}/pack/de.pdf",
        dict.fromkeys(EVERYONE, 404),
    ),
    AccessCase(
        "admin/dialogue/pack/",
        lambda w, r: "/admin/dialogue/pack/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/dialogue/pack/<path:object_id>/download/",
        lambda w, r: (
            f"/admin/dialogue/pack/{w.packs[(w.delegation.pk, 'ru')].pk}/download/"
        ),
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/dialogue/pack/<path:object_id>/download/",
        lambda w, r: f"/admin/dialogue/pack/{w.visa_letter.pk}/download/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/dialogue/pack/visa-letters/",
        lambda w, r: "/admin/dialogue/pack/visa-letters/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/dialogue/pack/visa-letters/",
        lambda w, r: "/admin/dialogue/pack/visa-letters/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 404},
        method="post",
        data={"delegate": "999999"},
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    run_case(world, case, role)
