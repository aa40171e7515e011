"""The pack carries the latest circulated declaration and what changed since."""

import datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from dialogue.models import Pack
from dialogue.packs.files import absolute
from dialogue.services import render_pack
from tests.factories import DelegateFactory, DelegationFactory


def circulate(declaration_models, declaration, number, paragraphs):
    Version, Paragraph = declaration_models
    version = Version.objects.create(
        declaration=declaration, number=number, created_at=timezone.now()
    )
    for position, (kind, en, ru) in enumerate(paragraphs, start=1):
        Paragraph.objects.create(
            version=version, position=position, kind=kind, text_en=en, text_ru=ru
        )
    # The declaration app's services circulate by email; here only the state.
    Version.objects.filter(declaration=declaration, status="circulated").update(
        status="superseded"
    )
    Version.objects.filter(pk=version.pk).update(
        status="circulated",
        circulated_at=timezone.now(),
        comment_deadline=timezone.now() + datetime.timedelta(days=7),
    )
    return version


@pytest.mark.django_db
def test_pack_prints_latest_circulated_version_and_changes(meeting, media_root):
    models = pytest.importorskip("declaration.models")
    if not hasattr(models, "Version"):
        pytest.skip("the declaration app has no versions yet")
    declaration = models.Declaration.objects.create(
        meeting=meeting,
        title_en="Ashgabat Declaration",
        title_ru="Ашхабадская декларация",
    )
    pair = (models.Version, models.Paragraph)
    circulate(
        pair,
        declaration,
        1,
        [
            ("preambular", "Recalling the Strategy,", "Ссылаясь на Стратегию,"),
            ("operative", "Welcomes the JPoA;", "Приветствует СПД;"),
        ],
    )
    circulate(
        pair,
        declaration,
        2,
        [
            ("preambular", "Recalling the Strategy,", "Ссылаясь на Стратегию,"),
            ("operative", "Warmly welcomes the JPoA;", "Горячо приветствует СПД;"),
            ("operative", "Proposes a third phase;", "Предлагает третий этап;"),
        ],
    )
    delegation = DelegationFactory(meeting=meeting)
    DelegateFactory(delegation=delegation)
    pack = Pack.objects.create(meeting=meeting, delegation=delegation, language="en")
    assert render_pack(pack.pk) == "rendered"
    pack.refresh_from_db()
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(absolute(pack.file)).pages).split()
    )
    assert "Ashgabat Declaration, version 2" in text
    assert "Compared with version 1." in text
    assert "Proposes a third phase;" in text
    assert "Warmly welcomes the JPoA;" in text
    assert "Welcomes the JPoA;" in text  # the old wording, struck through
