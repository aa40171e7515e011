"""Odd ids in URLs ("²" passes str.isdigit) answer 404 or a page, never 500."""

import pytest

from dialogue.ids import parse_id

SUPERSCRIPT_TWO = "%C2%B2"


def test_parse_id_accepts_ascii_digits_only():
    assert [
        parse_id(v) for v in ("12", " 7 ", "²", "٣", "-1", "0", "", None, "1e3")
    ] == [
        12,
        7,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/admin/delegations/delegation/readiness/?meeting={SUPERSCRIPT_TWO}",
        f"/admin/travel/entitlement/budget/?meeting={SUPERSCRIPT_TWO}",
        f"/admin/travel/entitlement/budget/export.csv?meeting={SUPERSCRIPT_TWO}",
        f"/admin/packs/pack/{SUPERSCRIPT_TWO}/download/",
        f"/admin/packs/pack/?meeting__id__exact={SUPERSCRIPT_TWO}",
        f"/admin/declaration/version/diff/?declaration={SUPERSCRIPT_TWO}",
        "/admin/declaration/version/diff/?new=abc",
    ],
)
def test_admin_views_survive_odd_ids(world, url):
    response = world.clients["secretariat"].get(url)
    assert response.status_code in (200, 302, 404)


@pytest.mark.django_db
def test_focal_point_details_with_odd_delegate_id_is_404(world):
    token = world.links["focal_point"].token
    response = world.clients["anonymous"].get(
        f"/l/{token}/details/?delegate={SUPERSCRIPT_TWO}"
    )
    assert response.status_code == 404
