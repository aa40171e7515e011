"""What a worker makes once and reuses in every pack: the replayed pages' part of
the structure tree (StructureTemplate), the subset fonts and their PDF streams
(FontCache). Counted, not timed."""

import io

import pikepdf
import pytest
from pypdf import PdfReader
from weasyprint.formatting_structure.boxes import PageBox

from dialogue.packs import replay
from dialogue.packs.inputs import pack_inputs
from dialogue.packs.models import Pack
from dialogue.packs.render import PackRenderer
from dialogue.packs.replay import ReplayPage, StructureTemplate
from tests.packs.test_pdfua import pdfua_findings, structure_problems
from tests.packs.test_replay import font_programs, plain_render, summary

KZ, KG = 1, 2  # delegations of the fixture


def inputs_of(meeting, language, *delegations):
    return [
        pack_inputs(Pack(meeting=meeting, delegation_id=pk, language=language))
        for pk in delegations
    ]


def render(renderer, inputs) -> bytes:
    data, _pages = renderer.render_briefing(
        inputs.pack.language,
        shared=inputs.shared,
        own=inputs.own,
        shared_key=inputs.shared_key,
    )
    return data


@pytest.fixture
def built_pages(monkeypatch):
    """Count the pages whose structure WeasyPrint builds (its _build_box_tree
    called with a page box; the calls for the boxes below are not counted)."""
    built = []
    build = replay._plain_build_box_tree

    def counting(box, parent, pdf, page_number, *args):
        if type(box) is PageBox:
            built.append(page_number)
        return build(box, parent, pdf, page_number, *args)

    monkeypatch.setattr(replay, "_plain_build_box_tree", counting)
    return built


def shared_pages(renderer) -> list[ReplayPage]:
    return [
        page
        for document in renderer.cache.values()
        for page in document.pages
        if isinstance(page, ReplayPage) and page._recording
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "bilingual"])
def test_shared_pages_structure_is_built_once_per_worker(
    ashgabat, language, built_pages
):
    first, second, third = inputs_of(ashgabat, language, KZ, KG, KZ)
    renderer = PackRenderer()
    render(renderer, first)
    recorded = shared_pages(renderer)
    assert recorded
    assert all(
        isinstance(page._recording.structure, StructureTemplate) for page in recorded
    )
    pages_first = len(built_pages)
    assert pages_first == len(PdfReader(io.BytesIO(render(renderer, first))).pages)

    built_pages.clear()
    data = render(renderer, second)
    total = len(PdfReader(io.BytesIO(data)).pages)
    # Only the cover, contents and the delegation's own pages are built again.
    assert len(built_pages) == total - len(recorded)
    assert summary(data) == summary(plain_render(second)[0])

    built_pages.clear()
    render(renderer, third)
    assert len(built_pages) == len(PdfReader(io.BytesIO(data)).pages) - len(recorded)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "bilingual"])
def test_fonts_are_subset_and_written_once_per_worker(ashgabat, language):
    first, second = inputs_of(ashgabat, language, KZ, KG)
    renderer = PackRenderer()
    one = render(renderer, first)
    subsets = renderer.fonts.subsetted
    assert subsets == len(font_programs(one))  # one per font file
    two = render(renderer, second)
    assert renderer.fonts.subsetted == subsets  # none subset again
    # The same font programs, each deflated once (one PDF stream's bytes kept).
    assert {name: program for name, (program, _g) in font_programs(two).items()} == {
        name: program for name, (program, _g) in font_programs(one).items()
    }
    assert [len(s.written) for s in renderer.fonts.subsets.values()] == [1] * subsets


@pytest.mark.django_db
def test_font_cache_is_bounded(ashgabat):
    renderer = PackRenderer()
    renderer.fonts.size = 2
    for inputs in inputs_of(ashgabat, "en", KZ) + inputs_of(ashgabat, "ru", KZ):
        render(renderer, inputs)
    assert len(renderer.fonts.subsets) == 2
    assert len(renderer.fonts.cmaps) <= 2


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "bilingual"])
def test_a_pack_placed_from_templates_passes_pdfua(ashgabat, language):
    first, second = inputs_of(ashgabat, language, KZ, KG)
    renderer = PackRenderer()
    render(renderer, first)
    data = render(renderer, second)
    assert pdfua_findings(data) == []
    assert structure_problems(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:  # object and xref streams read back
        assert len(pdf.pages) == len(PdfReader(io.BytesIO(data)).pages)


@pytest.mark.django_db
def test_replay_off_writes_plain_weasyprint(ashgabat, settings, built_pages):
    first, second = inputs_of(ashgabat, "en", KZ, KG)
    renderer = PackRenderer()
    render(renderer, first)
    settings.PACK_REPLAY = False
    built_pages.clear()
    data = render(renderer, second)
    # WeasyPrint built every page's structure, and wrote what it writes alone.
    assert len(built_pages) == len(PdfReader(io.BytesIO(data)).pages)
    assert data == plain_render(second)[0]
