"""The 2017 Ashgabat Declaration in the fixture."""

import datetime

from django.utils import timezone

from declaration.diff import summary
from declaration.models import Circulation, Comment, Declaration, TranslationCheck
from declaration.selectors import comments_by_paragraph, version_diff, version_lags
from declaration.services import circulate_version
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
    # OP6 changed in English only (its Russian needed no change).
    for lang, changed in (("en", 5), ("ru", 4)):
        assert summary(version_diff(v1, v2, lang)) == {
            "changed": changed,
            "moved": 1,
            "added": 1,
            "removed": 1,
            "unchanged": 11 - changed,
        }


def test_fixture_conflicting_proposals_one_taken_into_v2(ashgabat):
    v1, v2 = Declaration.objects.get(meeting=ashgabat).versions.order_by("number")
    groups = {g.paragraph.label: g for g in comments_by_paragraph(v1)}
    conflict = groups["OP4"].conflict
    assert [c.comment.delegation.name_en for c in conflict] == [
        "Kazakhstan",
        "Uzbekistan",
    ]
    taken, superseded = (c.comment for c in conflict)
    assert (taken.outcome, taken.taken_into) == ("taken", v2)
    assert taken.taken_paragraph.text_ru == taken.text
    assert (superseded.outcome, superseded.superseded_by) == ("superseded", taken)


def test_fixture_v2_changed_in_english_only_is_confirmed(ashgabat):
    v1, v2 = Declaration.objects.get(meeting=ashgabat).versions.order_by("number")
    lags = version_lags(v2)
    assert [(lag.paragraph.label, lag.changed) for lag in lags] == [("OP6", "en")]
    check = TranslationCheck.objects.get(version=v2)
    assert check.paragraph == lags[0].paragraph
    assert check.covers(lags[0].paragraph, "en")
    # Circulating v2 asks for nothing more: the confirmation is recorded.
    circulate_version(v2, deadline=timezone.now() + datetime.timedelta(days=3))
    assert TranslationCheck.objects.get(version=v2).pk == check.pk


def test_fixture_kazakhstan_proposes_a_new_op_after_op4(ashgabat):
    v1 = Declaration.objects.get(meeting=ashgabat).versions.get(number=1)
    groups = {g.paragraph.label: g for g in comments_by_paragraph(v1)}
    insert = next(c for c in groups["OP4"].comments if c.kind == "insert")
    assert (insert.reference, insert.new_kind, insert.outcome, insert.summary) == (
        "KZ-3",
        "operative",
        "pending",
        "new OP after OP4",
    )
    numbers = sorted(
        (c.delegation.country_code, c.number)
        for c in Comment.objects.filter(version=v1)
    )
    assert numbers == [("KZ", 1), ("KZ", 2), ("KZ", 3), ("UZ", 1), ("UZ", 2), ("UZ", 3)]
