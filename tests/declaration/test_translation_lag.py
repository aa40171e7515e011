"""Translation lag: a paragraph changed in one language only since the
version before, flagged to the drafters and confirmed at circulation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from declaration.models import Paragraph, TranslationCheck, number_paragraphs
from declaration.selectors import translation_lags, version_lags
from declaration.services import circulate_version

IN_A_WEEK = datetime.timedelta(days=7)


def paragraphs(start_pk, rows):
    return number_paragraphs(
        [
            Paragraph(pk=start_pk + n, kind=kind, text_en=en, text_ru=ru)
            for n, (kind, en, ru) in enumerate(rows)
        ]
    )


OLD = paragraphs(
    1,
    [
        ("preambular", "Recalling the Strategy,", "ссылаясь на Стратегию,"),
        ("operative", "Commit to cooperate;", "обязуемся сотрудничать;"),
        ("operative", "Call upon donors.", "призываем доноров."),
        ("operative", "Thank the host.", "благодарим принимающую сторону."),
    ],
)
NEW = paragraphs(
    11,
    [
        ("preambular", "Recalling the Strategy,", "ссылаясь на Стратегию,"),
        # English changed, Russian not
        ("operative", "Commit to cooperate closely;", "обязуемся сотрудничать;"),
        # both changed
        ("operative", "Call upon donors to help.", "призываем доноров помочь."),
        # a new paragraph: no counterpart, no lag
        ("operative", "Decide to meet in 2018;", "решаем встретиться в 2018 году;"),
        # Russian changed, English not (only spacing in English)
        ("operative", "Thank  the host.", "благодарим  Туркменистан."),
    ],
)


def test_translation_lags_known_inputs():
    lags = translation_lags(OLD, NEW)
    assert [(lag.paragraph.label, lag.changed, lag.unchanged) for lag in lags] == [
        ("OP1", "en", "ru"),
        ("OP4", "ru", "en"),
    ]


def test_no_lag_for_a_first_version(declaration_world):
    first = declaration_world.superseded
    assert version_lags(first) == []


def test_draft_lags_against_the_circulated_version(declaration_world):
    # v2 -> v3 (factories): PP1 and OP1 changed in Russian only.
    lags = version_lags(declaration_world.draft)
    assert [(lag.paragraph.label, lag.changed) for lag in lags] == [
        ("PP1", "ru"),
        ("OP1", "ru"),
    ]


def test_circulation_refuses_unconfirmed_lags(declaration_world):
    draft = declaration_world.draft
    lags = version_lags(draft)
    with pytest.raises(ValidationError) as error:
        circulate_version(
            draft,
            deadline=timezone.now() + IN_A_WEEK,
            confirmed=[lags[0].paragraph.pk],
        )
    assert error.value.code == "translation_lag"
    assert "OP1" in error.value.messages[0] and "PP1" not in error.value.messages[0]
    assert TranslationCheck.objects.count() == 0
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_circulation_records_each_confirmation(declaration_world, drafter_user):
    draft = declaration_world.draft
    lags = version_lags(draft)
    circulate_version(
        draft,
        deadline=timezone.now() + IN_A_WEEK,
        confirmed=[lag.paragraph.pk for lag in lags],
        by=drafter_user,
    )
    checks = TranslationCheck.objects.order_by("paragraph__position")
    assert [
        (c.version_id, c.paragraph.position, c.changed_language, c.confirmed_by)
        for c in checks
    ] == [(draft.pk, 1, "ru", drafter_user), (draft.pk, 3, "ru", drafter_user)]


@pytest.fixture
def drafter_user(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("lena", password=None)


def test_circulate_form_asks_for_each_flagged_paragraph(world, declaration_world):
    draft = declaration_world.draft
    client = world.clients["drafter"]
    url = f"/admin/declaration/version/{draft.pk}/circulate/"
    page = client.get(url).content.decode()
    assert 'id="translation-lags"' in page
    assert "PP1: the Russian changed; the English needs no change." in page
    day = (timezone.now() + IN_A_WEEK).date().isoformat()
    data = {"deadline_date": day, "deadline_time": "18:00"}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Changed in one language only since version 2: PP1, OP1." in (
        refused.content.decode()
    )
    lags = version_lags(draft)
    done = client.post(url, {**data, "confirmed": [lag.paragraph.pk for lag in lags]})
    assert done.status_code == 302
    assert TranslationCheck.objects.filter(version=draft).count() == 2
    change = client.get(f"/admin/declaration/version/{draft.pk}/change/")
    html = change.content.decode()
    assert f'id="lag-{lags[0].paragraph.pk}"' in html
    assert "confirmed by drafter" in html


def test_diff_view_flags_the_lagging_paragraphs(world, declaration_world):
    w = declaration_world
    client = world.clients["drafter"]
    url = (
        f"/admin/declaration/version/diff/?old={w.circulated.pk}"
        f"&new={w.draft.pk}&lang=en"
    )
    html = client.get(url).content.decode()
    assert html.count("Russian changed, English not") == 2
    ru = client.get(url, headers={"accept-language": "ru"}).content.decode()
    assert ru.count("изменён русский текст, английский — нет") == 2
