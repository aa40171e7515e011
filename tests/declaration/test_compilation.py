"""The compilation of comments: requested, rendered (EN/RU PDF, XLSX), out of
date when the comments change, failing visibly, shared with the focal points."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from declaration.compilation import absolute
from declaration.models import Comment, Compilation
from declaration.selectors import compilation_state
from declaration.services import (
    add_comment,
    decide_comment,
    record_compilation_failure,
    render_compilation,
    request_compilation,
    share_compilation,
)
from tests.packs.documents import private_media
from tests.packs.test_pdfua import pdfua_findings, structure_problems


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    return private_media(settings, tmp_path)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def file_bytes(compilation, name):
    return absolute(getattr(compilation, name)).read_bytes()


@pytest.fixture
def rendered(world, declaration_world, django_capture_on_commit_callbacks):
    """The circulated version's compilation, rendered by its task (eagerly)."""
    w = declaration_world
    decide_comment(w.comment_other, outcome="not_taken", reply="Оставлено как есть.")
    with django_capture_on_commit_callbacks(execute=True):
        compilation = request_compilation(w.circulated)
    compilation.refresh_from_db()
    return compilation


def test_request_refuses_a_draft(declaration_world):
    with pytest.raises(ValidationError) as error:
        request_compilation(declaration_world.draft)
    assert error.value.code == "draft"


def test_request_queues_the_render_after_commit(
    declaration_world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        compilation = request_compilation(declaration_world.circulated)
    assert (compilation.status, compilation.progress) == ("queued", 0)
    assert [c.func.__name__ for c in callbacks] == ["_publish"]
    assert callbacks[0].args == ({"compilation_id": compilation.pk},)


def test_render_makes_three_files_and_says_what_it_made_from(rendered):
    assert (rendered.status, rendered.progress, rendered.attempts) == (
        "ready",
        3,
        1,
    )
    assert (rendered.comment_count, rendered.error) == (2, "")
    for name in Compilation.FILES:
        assert absolute(getattr(rendered, name)).exists()
    # A duplicate task finds the files made from the comments as they are.
    assert render_compilation(rendered.pk) == "up to date"
    assert render_compilation(999999) == "gone"


def test_english_pdf_lists_paragraphs_comments_and_status(rendered):
    data = file_bytes(rendered, "pdf_en")
    text = pdf_text(data)
    assert "Compilation of comments on version 2" in text
    assert "2 comments, compiled on" in text
    assert "OP1 1. Commit to cooperate closely;" in text
    assert "KZ-1" in text and "KG-1" in text
    assert "Kazakhstan comment: add a reference to border management." in text
    assert "undecided" in text and "not taken" in text
    assert "Оставлено как есть." in text  # the reply as written
    assert text.count("No comments on this paragraph.") == 2  # PP1 and OP2
    assert pdfua_findings(data) == []
    assert structure_problems(data) == []


def test_russian_pdf_is_in_russian_with_cyrillic_text(rendered):
    data = file_bytes(rendered, "pdf_ru")
    text = pdf_text(data)
    assert "Сводка замечаний по версии 2" in text
    assert "обязуемся сотрудничать;" in text
    assert "Комментарий Кыргызстана: просим уточнить формулировку." in text
    assert "решение не принято" in text and "не учтено" in text
    assert "?" * 3 not in text
    assert pdfua_findings(data) == []
    assert structure_problems(data) == []


def test_xlsx_has_a_sheet_per_language_with_exact_rows(world, rendered):
    workbook = load_workbook(io.BytesIO(file_bytes(rendered, "xlsx")))
    assert workbook.sheetnames == ["Comments v2", "Замечания, в. 2"]
    rows = [list(row) for row in workbook["Comments v2"].iter_rows(values_only=True)]
    kz, kg = world.delegation.name_en, world.other_delegation.name_en
    assert rows == [
        [
            "Paragraph",
            "Current text",
            "Reference",
            "Delegation",
            "Kind",
            "Proposed change",
            "Language",
            "Comment or proposal",
            "Status",
            "Drafters' reply",
        ],
        ["PP1", "Recalling the Global Strategy,"] + [None] * 8,
        [
            "OP1",
            "1. Commit to cooperate closely;",
            "KZ-1",
            kz,
            "comment",
            "OP1",
            "EN",
            "Kazakhstan comment: add a reference to border management.",
            "undecided",
            None,
        ],
        [
            "OP1",
            "1. Commit to cooperate closely;",
            "KG-1",
            kg,
            "comment",
            "OP1",
            "RU",
            "Комментарий Кыргызстана: просим уточнить формулировку.",
            "not taken",
            "Оставлено как есть.",
        ],
        ["OP2", "2. Call upon donors to help more."] + [None] * 8,
    ]
    ru = [list(row) for row in workbook["Замечания, в. 2"].iter_rows(values_only=True)]
    assert ru[0][:3] == ["Пункт", "Текущий текст", "Номер"]
    assert ru[2][:2] == ["п. 1", "1. обязуемся сотрудничать;"]
    assert ru[3][8] == "не учтено"


def test_changed_comments_make_it_out_of_date_until_rendered_again(
    world, declaration_world, rendered, django_capture_on_commit_callbacks
):
    version = declaration_world.circulated
    assert compilation_state(version, rendered, can_share=True)["stale"] is False
    add_comment(
        version,
        delegation=world.delegation,
        paragraph_id=version.paragraphs.get(position=3).pk,
        kind=Comment.Kind.DELETE,
        language="en",
        text="",
    )
    state = compilation_state(version, rendered, can_share=True)
    assert (state["stale"], state["current_count"]) == (True, 3)
    with django_capture_on_commit_callbacks(execute=True):
        request_compilation(version)
    rendered.refresh_from_db()
    assert (rendered.comment_count, rendered.attempts) == (3, 2)
    assert compilation_state(version, rendered, can_share=True)["stale"] is False
    assert "KZ-2" in pdf_text(file_bytes(rendered, "pdf_en"))
    assert "delete OP2" in pdf_text(file_bytes(rendered, "pdf_en"))


def test_failure_is_recorded_and_shown_with_a_retry(world, declaration_world):
    version = declaration_world.circulated
    compilation = Compilation.objects.create(version=version)
    record_compilation_failure(
        reason="OSError: disk full", final=False, compilation_id=compilation.pk
    )
    compilation.refresh_from_db()
    assert (compilation.status, compilation.error) == ("queued", "OSError: disk full")
    record_compilation_failure(
        reason="OSError: disk full", final=True, compilation_id=compilation.pk
    )
    compilation.refresh_from_db()
    assert compilation.status == "failed"
    page = world.clients["secretariat"].get(
        f"/admin/declaration/version/{version.pk}/change/"
    )
    html = page.content.decode()
    assert '<span id="compilation-error">OSError: disk full</span>' in html
    render = f"/admin/declaration/version/{version.pk}/compilation/render/"
    assert f'formaction="{render}" formnovalidate>Retry rendering' in html
    assert 'id="compilation-share"' not in html  # drafters share


def test_share_needs_files_and_keeps_the_first_record(
    world, declaration_world, rendered
):
    from django.contrib.auth import get_user_model

    drafter = get_user_model().objects.get(username="drafter")
    empty = Compilation.objects.create(version=declaration_world.superseded)
    with pytest.raises(ValidationError) as error:
        share_compilation(empty)
    assert error.value.code == "not_made"
    shared = share_compilation(rendered, by=drafter)
    assert (shared.shared_by, shared.is_shared) == (drafter, True)
    again = share_compilation(rendered)
    assert (again.shared_at, again.shared_by) == (shared.shared_at, drafter)


def test_version_page_shows_state_files_and_share_for_drafters(
    world, declaration_world, rendered
):
    version = declaration_world.circulated
    url = f"/admin/declaration/version/{version.pk}/change/"
    html = world.clients["drafter"].get(url).content.decode()
    assert "Made on" in html and "from 2 comments." in html
    base = f"/admin/declaration/version/{version.pk}/compilation/"
    for name in ("pdf_en", "pdf_ru", "xlsx"):
        assert f'href="{base}{name}/"' in html
    assert 'id="compilation-share"' in html
    response = world.clients["drafter"].post(f"{base}share/")
    assert response.status_code == 302
    rendered.refresh_from_db()
    assert rendered.shared_by.username == "drafter"
    html = world.clients["drafter"].get(url).content.decode()
    assert "Shared with the focal points by drafter on" in html
    xlsx = world.clients["secretariat"].get(f"{base}xlsx/")
    assert xlsx["Content-Disposition"] == (
        f'attachment; filename="comments-declaration-{version.declaration_id}-v2.xlsx"'
    )


def test_focal_point_sees_other_delegations_only_once_shared(
    world, declaration_world, client, django_capture_on_commit_callbacks
):
    version = declaration_world.circulated
    proposal = add_comment(
        version,
        delegation=world.other_delegation,
        paragraph_id=version.paragraphs.get(position=3).pk,
        kind=Comment.Kind.INSERT,
        new_kind="operative",
        language="en",
        text="Decide to meet again in 2018;",
    )
    with django_capture_on_commit_callbacks(execute=True):
        compilation = request_compilation(version)
    compilation.refresh_from_db()
    page = f"/l/{world.token('focal_point')}/?lang=ru"
    pdf = f"/l/{world.token('focal_point')}/declaration/{version.pk}/compilation/ru.pdf"
    html = client.get(page).content.decode()
    assert "Decide to meet again in 2018;" not in html
    assert declaration_world.comment_other.text not in html
    assert "compilation/ru.pdf" not in html
    assert client.get(pdf).status_code == 404

    share_compilation(compilation)
    html = client.get(page).content.decode()
    assert f'id="other-proposal-{proposal.pk}"' in html
    assert "KG-2 · " in html and "новый пункт постановляющей части после п. 2" in html
    assert "Decide to meet again in 2018;" in html
    assert f'href="{pdf}"' in html
    assert "Сводка замечаний на русском языке (PDF)" in html
    response = client.get(pdf)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert "Сводка замечаний по версии 2" in pdf_text(
        b"".join(response.streaming_content)
    )
    # A delegate's link never sees it.
    delegate = (
        f"/l/{world.token('delegate_a')}/declaration/{version.pk}/compilation/ru.pdf"
    )
    assert client.get(delegate).status_code == 404
