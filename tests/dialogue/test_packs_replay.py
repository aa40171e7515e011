"""Shared pages painted once and replayed give the same PDF as painting afresh."""

import io

import pytest
from pypdf import PdfReader

from dialogue.models import Pack
from dialogue.packs.inputs import pack_inputs
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


def summary(data: bytes) -> dict:
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"].split("+", 1)[1]] = len(
                descriptor["/FontFile2"].get_object().get_data()
            )
    return {
        "pages": [" ".join(page.extract_text().split()) for page in reader.pages],
        "structure": structure_types(root["/StructTreeRoot"], []),
        "outline": [
            item.title for item in reader.outline if not isinstance(item, list)
        ],
        "lang": root["/Lang"],
        "fonts": fonts,
    }


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
