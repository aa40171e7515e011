"""Access matrix of the packs' URLs: link downloads, staff downloads, visa
letters, worker heartbeats."""

import dataclasses

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

STAFF_TRAVEL = {
    **ADMIN_LOGIN_REDIRECT,
    "drafter": 403,
    "transport_officer": 403,
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
    # Badge sheets (issue 13): staff who see badges; rendering is the
    # Secretariat's (change_pack).
    AccessCase(
        "admin/packs/pack/badges/",
        lambda w, r: "/admin/packs/pack/badges/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 200},
    ),
    AccessCase(
        "admin/packs/pack/badges/",
        lambda w, r: "/admin/packs/pack/badges/",
        {**ADMIN_LOGIN_REDIRECT, "drafter": 403, "secretariat": 404},
        method="post",
        data={"meeting": "999999"},
    ),
    # Travel lists (issue 14): staff who see travel; the transport officer has
    # the pickups page only; a focal point its own delegation's manifest.
    AccessCase(
        "admin/packs/pack/travel-lists/",
        lambda w, r: "/admin/packs/pack/travel-lists/",
        {**STAFF_TRAVEL, "secretariat": 200},
    ),
    AccessCase(
        "admin/packs/pack/travel-lists/",
        lambda w, r: "/admin/packs/pack/travel-lists/",
        {**STAFF_TRAVEL, "secretariat": 404},
        method="post",
        data={"prepare": "999999"},
    ),
    AccessCase(
        "admin/packs/pack/travel-lists/",
        lambda w, r: "/admin/packs/pack/travel-lists/",
        {**STAFF_TRAVEL, "secretariat": 302},
        method="post",
        data={"retry": "placeholder"},
    ),
    *[
        AccessCase(
            "admin/packs/pack/<path:object_id>/download/",
            lambda w, r, f=file_format: f"/admin/packs/pack/{w.lists[f].pk}/download/",
            {**STAFF_TRAVEL, "secretariat": 200},
        )
        for file_format in ("pdf", "xlsx")
    ],
    *[
        AccessCase(
            "l/<str:token>/manifest/<str:language>.pdf",
            lambda w, r, lang=lang: f"/l/{own_token(w, r)}/manifest/{lang}.pdf",
            {
                "anonymous": 404,
                "delegate_a": 404,  # a delegate's own link: no manifest
                "delegate_b": 404,
                "other_focal_point": 200,
                "drafter": 404,
                "secretariat": 404,
                "transport_officer": 404,
            },
        )
        for lang in ("en", "ru")
    ],
    AccessCase(
        "l/<str:token>/manifest/<str:language>.pdf",
        lambda w, r: f"/l/{own_token(w, r)}/manifest/bilingual.pdf",
        {**dict.fromkeys(EVERYONE, 404), "transport_officer": 404},
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    if case.data == {"retry": "placeholder"}:
        case = dataclasses.replace(case, data={"retry": str(world.lists["pdf"].pk)})
    run_case(world, case, role)


def test_a_focal_point_gets_only_its_own_delegations_manifest(world):
    client = world.clients["other_focal_point"]
    token = world.token("other_focal_point")
    for language in ("en", "ru"):
        response = client.get(f"/l/{token}/manifest/{language}.pdf")
        body = b"".join(response.streaming_content)
        own = world.other_delegation.pk
        assert body == b"%PDF-1.7\n% manifest of " + str(own).encode() + b"\n%%EOF\n"
    page = client.get(f"/l/{token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/l/{token}/manifest/en.pdf" in page
    assert f"/l/{token}/manifest/ru.pdf" in page
    delegate_page = world.clients["delegate_a"].get(
        f"/l/{world.token('delegate_a')}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "/manifest/" not in delegate_page.content.decode()
