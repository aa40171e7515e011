"""The side-by-side edition stays aligned: on every page, the English column and
the Russian column show the same items, and neither runs ahead of the other.

The expected items are the rows the renderer pairs (render.section): each row's
English and Russian blocks, rendered by the pack's own block template and
reduced to their text. The PDF is read back with pdfplumber, one crop box per
column; for each row, the page where its English starts and ends must be the
page where its Russian starts and ends.
"""

import dataclasses
import datetime
import html
import io
import re
from collections import Counter

import pdfplumber
import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags

from declaration.models import Declaration
from declaration.selectors import version_lags
from declaration.services import circulate_version, save_draft, snapshot, start_draft
from dialogue.packs import content
from dialogue.packs.inputs import pack_inputs
from dialogue.packs.models import Pack
from dialogue.packs.render import HEAD_SECTIONS, TAIL_SECTIONS, section
from tests.packs.documents import KZ, private_media, render_briefing

SIGNATURE = 24  # characters (without spaces) that identify a cell's start or end


@pytest.fixture
def documents_media(settings, tmp_path):
    return private_media(settings, tmp_path)


def squeeze(text: str) -> str:
    """Return text without white space or list bullets, as both sides compare."""
    return re.sub(r"[\s\u2022]+", "", text.replace("\u2011", "-"))


def block_text(block: dict, lang: str) -> str:
    markup = render_to_string(
        "pdf/_block.html", {"b": block, "lang": lang, "index": 0, "anchor": False}
    )
    return squeeze(html.unescape(strip_tags(markup)))


def expected_rows(meeting, delegation_id: int) -> list[tuple[str, str]]:
    """Return (English text, Russian text) of every row of the side-by-side pack."""
    pack = Pack(meeting=meeting, delegation_id=delegation_id, language="bilingual")
    inputs = pack_inputs(pack)
    contents = [
        (key, {lang: inputs.shared[lang][key] for lang in ("en", "ru")})
        for key in HEAD_SECTIONS
    ]
    contents.append(
        ("itineraries", {lang: inputs.own[lang]["travellers"] for lang in ("en", "ru")})
    )
    contents += [
        (key, {lang: inputs.shared[lang][key] for lang in ("en", "ru")})
        for key in TAIL_SECTIONS
    ]
    rows = []
    for key, blocks in contents:
        for left, right in section("bilingual", key, blocks)["rows"]:
            pair = (
                block_text(left, "en") if left else "",
                block_text(right, "ru") if right else "",
            )
            rows.append(pair)
    return rows


def column_texts(data: bytes) -> tuple[list[str], list[str]]:
    """Return each page's text in the left and in the right column."""
    left, right = [], []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            middle = page.width / 2
            left.append(squeeze(page.crop((0, 0, middle, page.height)).extract_text()))
            right.append(
                squeeze(page.crop((middle, 0, page.width, page.height)).extract_text())
            )
    return left, right


class Column:
    """One column's text over all pages, searched in reading order."""

    def __init__(self, pages: list[str]):
        self.pages = pages
        self.text = "".join(pages)
        self.offsets = []
        offset = 0
        for page in pages:
            self.offsets.append(offset)
            offset += len(page)

    def page_at(self, offset: int) -> int:
        return max(i for i, start in enumerate(self.offsets) if start <= offset)

    def places(self, cells: list[str]) -> list[tuple[int, bool]]:
        """Return, per cell, its first page and whether it ends on that page.

        A cell starts where its first characters are found, after the cell
        before. Within a row, words may come out of order (a speaker's minutes
        sit beside the name), so a cell "ends on its page" when every character
        of it is found between its start and the next cell's start on that page.
        """
        starts, position = [], 0
        for cell in cells:
            # a cell's first line may be shorter than the signature (a term
            # wrapped beside its value): then its first few characters
            for length in (SIGNATURE, 12, 8, 5):
                found = self.text.find(cell[:length], position)
                if found >= 0:
                    break
            assert found >= 0, f"not found after offset {position}: {cell[:60]}"
            starts.append(found)
            position = found + 1
        places = []
        for index, (cell, start) in enumerate(zip(cells, starts, strict=True)):
            page = self.page_at(start)
            page_end = self.offsets[page] + len(self.pages[page])
            following = starts[index + 1] if index + 1 < len(starts) else page_end
            band = Counter(self.text[start : min(following, page_end)])
            places.append((page, Counter(cell) <= band))
        return places


def assert_aligned(meeting, delegation_id: int = KZ) -> int:
    """Assert every row's English and Russian share their pages; return the count."""
    rows = [(en, ru) for en, ru in expected_rows(meeting, delegation_id) if en and ru]
    left, right = column_texts(render_briefing(meeting, "bilingual", delegation_id))
    english = Column(left).places([en for en, _ru in rows])
    russian = Column(right).places([ru for _en, ru in rows])
    for (en, ru), en_place, ru_place in zip(rows, english, russian, strict=True):
        # same first page, and both end on it (or both go on past it)
        assert en_place == ru_place, (en[:60], ru[:60], en_place, ru_place)
    # a row that does not fit on its page is the exception, not the rule
    assert sum(whole for _page, whole in english) >= len(rows) - 2
    return len(rows)


@pytest.mark.django_db
def test_side_by_side_pack_every_row_on_the_same_pages(ashgabat, documents_media):
    checked = assert_aligned(ashgabat)
    assert checked > 60  # overview, sessions, speakers, itineraries, declaration...


@pytest.mark.django_db
def test_side_by_side_changes_stay_aligned_when_one_language_changed(
    ashgabat, documents_media
):
    # The changes are cached per process by the versions' ids, which another
    # test's rolled-back versions may have used.
    content._changes_cache.clear()
    declaration = Declaration.objects.get(meeting=ashgabat)
    draft = start_draft(declaration, author_name="Secretariat")
    texts = snapshot(draft)
    # the first paragraph changes in Russian only, the last in English only
    texts[0] = dataclasses.replace(texts[0], text_ru=texts[0].text_ru + " и далее")
    texts[-1] = dataclasses.replace(texts[-1], text_en=texts[-1].text_en + " as well")
    draft = save_draft(draft, lock_version=draft.lock_version, paragraphs=texts)
    # Each changed in one language only: the drafter confirms it, as circulation
    # asks (declaration.selectors.version_lags).
    circulate_version(
        draft,
        deadline=timezone.now() + datetime.timedelta(days=7),
        confirmed=[lag.paragraph.pk for lag in version_lags(draft)],
    )

    assert assert_aligned(ashgabat) > 60
    rows = expected_rows(ashgabat, KZ)
    notes = {
        "Thisparagraphdidnotchangeinthislanguage.",
        "Втекстенаэтомязыкепунктнеизменился.",
    }
    assert sum(en in notes or ru in notes for en, ru in rows) == 2
