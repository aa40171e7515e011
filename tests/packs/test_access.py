"""Access matrix of the packs' URLs: link downloads, staff downloads, visa
letters, worker heartbeats."""

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
    AccessCase(
        "admin/packs/workerheartbeat/",
        lambda w, r: "/admin/packs/workerheartbeat/",
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
        "admin/packs/pack/",
        lambda w, r: "/admin/packs/pack/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/packs/pack/<path:object_id>/download/",
        lambda w, r: (
            f"/admin/packs/pack/{w.packs[(w.delegation.pk, 'ru')].pk}/download/"
        ),
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/packs/pack/<path:object_id>/download/",
        lambda w, r: f"/admin/packs/pack/{w.visa_letter.pk}/download/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/packs/pack/visa-letters/",
        lambda w, r: "/admin/packs/pack/visa-letters/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/packs/pack/visa-letters/",
        lambda w, r: "/admin/packs/pack/visa-letters/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 404},
        method="post",
        data={"delegate": "999999"},
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    run_case(world, case, role)
