"""The pack carries the latest circulated declaration and what changed since.

The declaration is made with the declaration app's services (draft, save,
circulate); the pack's section uses its selectors and its paragraph-aware diff.
"""

import datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from declaration.services import (
    ParagraphText,
    circulate_version,
    create_declaration,
    save_draft,
    start_draft,
)
from dialogue.packs.files import absolute
from dialogue.packs.models import Pack
from dialogue.packs.services import render_pack
from tests.factories import DelegateFactory, DelegationFactory

FIRST = [
    ParagraphText("preambular", "Recalling the Strategy,", "Ссылаясь на Стратегию,"),
    ParagraphText("operative", "Welcomes the JPoA;", "Приветствует СПД;"),
    ParagraphText("operative", "Notes the report;", "Принимает к сведению доклад;"),
]
SECOND = [
    ParagraphText("preambular", "Recalling the Strategy,", "Ссылаясь на Стратегию,"),
    ParagraphText("operative", "Warmly welcomes the JPoA;", "Горячо приветствует СПД;"),
    ParagraphText("operative", "Proposes a third phase;", "Предлагает третий этап;"),
]


def circulate(declaration, paragraphs):
    draft = start_draft(declaration, author_name="Secretariat")
    draft = save_draft(draft, lock_version=draft.lock_version, paragraphs=paragraphs)
    return circulate_version(
        draft, deadline=timezone.now() + datetime.timedelta(days=7)
    )


def pack_text(meeting, language) -> str:
    delegation = DelegationFactory(meeting=meeting)
    DelegateFactory(delegation=delegation)
    pack = Pack.objects.create(
        meeting=meeting, delegation=delegation, language=language
    )
    assert render_pack(pack.pk) == "rendered"
    pack.refresh_from_db()
    reader = PdfReader(absolute(pack.file))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


@pytest.fixture
def declaration(meeting):
    declaration = create_declaration(
        meeting, title_en="Ashgabat Declaration", title_ru="Ашхабадская декларация"
    )
    circulate(declaration, FIRST)
    circulate(declaration, SECOND)
    start_draft(declaration)  # a newer draft is not printed
    return declaration


@pytest.mark.django_db
def test_pack_prints_latest_circulated_version_and_changes(
    declaration, meeting, media_root
):
    text = pack_text(meeting, "en")
    assert "Ashgabat Declaration, version 2, circulated on" in text
    assert "Recalling the Strategy, 1. Warmly welcomes the JPoA; 2. Proposes" in text
    assert "Compared with version 1." in text
    # declaration.diff: OP1 reworded word by word, OP2 replaced by a new one.
    assert "OP1 · changed Welcomes Warmly welcomes the JPoA;" in text
    assert "OP2 · added Proposes a third phase;" in text
    assert "OP2 · removed Notes the report;" in text
    assert "PP1 ·" not in text  # unchanged paragraphs are not listed


@pytest.mark.django_db
def test_pack_russian_prints_changes_in_russian(declaration, meeting, media_root):
    text = pack_text(meeting, "ru")
    assert "Ашхабадская декларация" in text
    assert "Горячо приветствует СПД;" in text
    assert "Предлагает третий этап;" in text
    assert "Welcomes" not in text


@pytest.mark.django_db
def test_pack_without_circulated_version_says_so(meeting, media_root):
    declaration = create_declaration(
        meeting, title_en="Ashgabat Declaration", title_ru="Ашхабадская декларация"
    )
    start_draft(declaration)  # drafts are never printed
    text = pack_text(meeting, "en")
    assert "No draft of the declaration has been circulated yet." in text
