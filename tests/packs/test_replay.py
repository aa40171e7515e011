"""Shared pages painted once and replayed give the same PDF as painting afresh."""

import io
import logging
import re

import pytest
import weasyprint
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from dialogue.packs import replay
from dialogue.packs.inputs import pack_inputs
from dialogue.packs.models import Pack
from dialogue.packs.render import PackRenderer
from dialogue.packs.replay import ReplayPage

KZ, KG = 1, 2  # delegations of the fixture


def structure_types(node, found):
    """Collect the /S of every structure element under node, in order."""
    node = node.get_object()
    if isinstance(node, list):
        for child in node:
            structure_types(child, found)
        return found
    if hasattr(node, "get") and "/S" in node:
        found.append(node["/S"])
    kids = node.get("/K") if hasattr(node, "get") else None
    if kids is not None and not isinstance(kids, int):
        structure_types(kids, found)
    return found


def font_programs(data: bytes) -> dict:
    """Return {font name: (its embedded font program, the glyph ids it maps
    to text in its ToUnicode CMap)} of a PDF."""
    reader = PdfReader(io.BytesIO(data))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            cmap = font["/ToUnicode"].get_object().get_data()
            fonts[font["/BaseFont"]] = (
                descriptor["/FontFile2"].get_object().get_data(),
                {
                    int(gid, 16)
                    for gid in re.findall(rb"^<([0-9a-f]{4})> <", cmap, re.M)
                },
            )
    return fonts


def outlines(program: bytes, glyphs) -> dict:
    """Return {glyph id: its outline, composites drawn from their components}."""
    font = TTFont(io.BytesIO(program))
    glyph_set, found = font.getGlyphSet(), {}
    for glyph in glyphs:
        pen = DecomposingRecordingPen(glyph_set)
        glyph_set[font.getGlyphName(glyph)].draw(pen)
        found[glyph] = pen.value
    return found


def assert_fonts_cover(replayed: bytes, fresh: bytes) -> None:
    """Every glyph the fresh PDF draws is in the replayed one, same outline
    (a pack's fonts also hold its scripts' other letters, replay.FontCache)."""
    replayed_fonts, fresh_fonts = font_programs(replayed), font_programs(fresh)
    assert replayed_fonts.keys() == fresh_fonts.keys()
    for name, (program, glyphs) in fresh_fonts.items():
        kept, mapped = replayed_fonts[name]
        assert glyphs <= mapped, name
        assert outlines(kept, glyphs) == outlines(program, glyphs), name


def summary(data: bytes) -> dict:
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    return {
        "pages": [" ".join(page.extract_text().split()) for page in reader.pages],
        "structure": structure_types(root["/StructTreeRoot"], []),
        "outline": [
            item.title for item in reader.outline if not isinstance(item, list)
        ],
        "lang": root["/Lang"],
        "fonts": sorted(font_programs(data)),
        "marked": marked_content(reader),
    }


def marked_content(reader) -> list:
    """Return, page by page, the structure type of each marked-content id (the
    ParentTree), so a page placed from a template maps its ids as built afresh."""
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    nums = root["/ParentTree"].get_object()["/Nums"]
    pages = []
    for index in range(0, len(nums), 2):
        kids = nums[index + 1].get_object()
        if isinstance(kids, list):
            pages.append([kid.get_object()["/S"] for kid in kids])
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "bilingual"])
def test_replayed_shared_pages_match_a_fresh_render(ashgabat, language):
    first, second = (
        pack_inputs(Pack(meeting=ashgabat, delegation_id=pk, language=language))
        for pk in (KZ, KG)
    )
    warm = PackRenderer()
    warm.render_briefing(
        language, shared=first.shared, own=first.own, shared_key=first.shared_key
    )
    replayed, pages = warm.render_briefing(
        language, shared=second.shared, own=second.own, shared_key=second.shared_key
    )
    fresh, fresh_pages = PackRenderer(replay=False).render_briefing(
        language, shared=second.shared, own=second.own, shared_key=second.shared_key
    )
    shared_pages = [
        page
        for document in warm.cache.values()
        for page in document.pages
        if isinstance(page, ReplayPage) and page._recording
    ]
    assert shared_pages  # the second pack really replayed recorded pages
    assert warm.layouts == 6  # front, head, own, tail; then front and own only
    assert pages == fresh_pages
    assert summary(replayed) == summary(fresh)
    assert_fonts_cover(replayed, fresh)


def two_packs(meeting, language="en"):
    return [
        pack_inputs(Pack(meeting=meeting, delegation_id=pk, language=language))
        for pk in (KZ, KG)
    ]


def render_both(renderer, first, second):
    for inputs in (first, second):
        data, pages = renderer.render_briefing(
            inputs.pack.language,
            shared=inputs.shared,
            own=inputs.own,
            shared_key=inputs.shared_key,
        )
    return data, pages


def replayed_pages(renderer) -> list:
    return [
        page
        for document in renderer.cache.values()
        for page in document.pages
        if isinstance(page, ReplayPage) and page._recording
    ]


def plain_render(inputs) -> tuple[bytes, int]:
    return PackRenderer(replay=False).render_briefing(
        inputs.pack.language,
        shared=inputs.shared,
        own=inputs.own,
        shared_key=inputs.shared_key,
    )


@pytest.mark.django_db
def test_replay_setting_off_paints_every_page_afresh(ashgabat, settings):
    first, second = two_packs(ashgabat)
    settings.PACK_REPLAY = False
    renderer = PackRenderer()
    assert renderer.replay is False
    data, pages = render_both(renderer, first, second)
    assert replayed_pages(renderer) == []
    fresh, fresh_pages = plain_render(second)
    assert pages == fresh_pages
    assert summary(data) == summary(fresh)


@pytest.mark.django_db
def test_replay_setting_off_also_stops_a_renderer_made_before(ashgabat, settings):
    first, second = two_packs(ashgabat)
    renderer = PackRenderer()
    assert renderer.replay is True
    renderer.render_briefing(
        "en", shared=first.shared, own=first.own, shared_key=first.shared_key
    )
    settings.PACK_REPLAY = False  # e.g. switched off while a worker runs
    data, _pages = renderer.render_briefing(
        "en", shared=second.shared, own=second.own, shared_key=second.shared_key
    )
    assert summary(data) == summary(plain_render(second)[0])


@pytest.mark.django_db
def test_unsupported_weasyprint_paints_plainly_and_says_so_once(
    ashgabat, monkeypatch, caplog
):
    first, second = two_packs(ashgabat)
    monkeypatch.setattr(weasyprint, "__version__", "72.1")
    monkeypatch.setattr(replay, "_warned", set())
    renderer = PackRenderer(replay=True)  # even one told to replay
    with caplog.at_level(logging.WARNING, logger="dialogue.packs"):
        data, pages = render_both(renderer, first, second)
    assert replayed_pages(renderer) == []
    assert not any(
        isinstance(page, ReplayPage)
        for document in renderer.cache.values()
        for page in document.pages
    )
    warnings = [r for r in caplog.records if "outside the versions" in r.getMessage()]
    assert len(warnings) == 1
    assert "72.1" in warnings[0].getMessage()
    fresh, fresh_pages = plain_render(second)
    assert pages == fresh_pages
    assert summary(data) == summary(fresh)


def test_version_guard_knows_the_range_it_was_written_for():
    assert [
        replay.version_supported(v)
        for v in ("70.0", "70.2", "70", "69.9", "71.0", "72.1", "dev")
    ] == [True, True, True, False, False, False, False]
