"""The 2017 Ashgabat Declaration in the fixture."""

from declaration.diff import summary
from declaration.models import Circulation, Comment, Declaration
from declaration.selectors import version_diff
from delegations.models import Delegation


def test_fixture_has_circulated_v1_with_comments_and_draft_v2(ashgabat):
    declaration = Declaration.objects.get(meeting=ashgabat)
    assert (declaration.title_en, declaration.title_ru) == (
        "Ashgabat Declaration",
        "Ашхабадская декларация",
    )
    v1, v2 = declaration.versions.order_by("number")
    assert (v1.status, v2.status) == ("circulated", "draft")
    commenters = set(
        Comment.objects.filter(version=v1).values_list("delegation__name_en", flat=True)
    )
    assert commenters == {"Kazakhstan", "Uzbekistan"}
    assert set(
        Circulation.objects.filter(
            version=v1, first_opened_at__isnull=True
        ).values_list("delegation__name_en", flat=True)
    ) == {"Tajikistan", "Afghanistan"}
    assert not Circulation.objects.filter(
        delegation__kind=Delegation.Kind.ORGANISER
    ).exists()
    for paragraph in [*v1.paragraphs.all(), *v2.paragraphs.all()]:
        assert paragraph.text_en and paragraph.text_ru


def test_fixture_diff_shows_every_kind_of_change(ashgabat):
    v1, v2 = Declaration.objects.get(meeting=ashgabat).versions.order_by("number")
    for lang in ("en", "ru"):
        assert summary(version_diff(v1, v2, lang)) == {
            "changed": 4,
            "moved": 1,
            "added": 1,
            "removed": 1,
            "unchanged": 7,
        }
