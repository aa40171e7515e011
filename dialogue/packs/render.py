"""Lay out what differs, once.

A briefing pack is four laid-out documents put together:

    front   cover and table of contents        per pack (small)
    head    overview, programme, participants  shared: once per edition
    own     the delegation's itineraries       per pack
    tail    declaration, practical information shared: once per edition and
                                                first page number

Shared documents are kept in a small per-process cache keyed by the shared
content's fingerprint, so a worker process lays them out once and then, for each
pack, lays out only the front and own pages. Page numbers are in the running
footer, so each part is laid out knowing its first page number; the table of
contents is laid out last, when every section's page is known.

`Document.copy(pages)` over pages of the four documents gives one document that
WeasyPrint writes as a tagged PDF/UA-1 file: structure tree, /Lang, title and
the outline (bookmarks) all come out of the one write.

What the shared pages cost in that write is also paid once per worker
(replay.py): their drawing is recorded and replayed, their part of the
structure tree placed from a template serialised the first time, and the fonts
subset once per renderer (self.fonts, a FontCache) for the glyphs of the shared
part plus the scripts in use, so the next pack of the edition embeds the same
subset without subsetting or deflating it again.
"""

import gc
import logging
import threading
from collections import OrderedDict

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from dialogue.packs.fetcher import SafeURLFetcher
from dialogue.packs.replay import (
    FontCache,
    install,
    make_replayable,
    replay_enabled,
    speed_up_page_references,
    write_pdf,
)

logger = logging.getLogger("dialogue.packs")

# For every document this process writes, packs and the naive baseline alike.
speed_up_page_references()
install()  # structure templates, font cache: replay.py

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
EDITIONS = ("en", "ru", "bilingual")
HEAD_SECTIONS = ("overview", "programme", "participants")
OWN_SECTIONS = ("itineraries",)
TAIL_SECTIONS = ("declaration", "practical")
SECTIONS = HEAD_SECTIONS + OWN_SECTIONS + TAIL_SECTIONS


def section_titles(lang: str) -> dict:
    with translation.override(lang):
        return {
            "overview": _("Meeting overview"),
            "programme": _("Programme"),
            "participants": _("List of participants"),
            "itineraries": _("Your itineraries"),
            "declaration": _("Draft declaration"),
            "practical": _("Practical information"),
            "contents": _("Contents"),
            "pack": _("Briefing pack"),
        }


def edition_langs(edition: str) -> tuple[str, ...]:
    return ("en", "ru") if edition == "bilingual" else (edition,)


def html_lang(edition: str) -> str:
    return "ru" if edition == "ru" else "en"


def title_for(edition: str, key: str) -> str:
    """Return a label in the edition's language, or 'English / Русский'."""
    return " / ".join(section_titles(lang)[key] for lang in edition_langs(edition))


def section(edition: str, key: str, contents: dict) -> dict:
    """Return a section for the templates: title and rows of blocks.

    contents maps a language to its blocks; the bilingual edition pairs the
    English and Russian blocks row by row (side by side).
    """
    langs = edition_langs(edition)
    if edition == "bilingual":
        rows = paired_rows(*(split_for_pairs(contents[lang]) for lang in langs))
    else:
        rows = [(block,) for block in contents[langs[0]]]
    return {"id": key, "title": title_for(edition, key), "rows": rows}


def split_for_pairs(blocks: list[dict]) -> list[dict]:
    """Return the blocks with each session cut into its heading and its slots.

    Side by side, a row is one English block beside its Russian twin and is not
    broken across pages; a session's speakers then get a row each, so a long
    session still breaks between speakers, in both columns at once.
    """
    out = []
    for block in blocks:
        if block.get("kind") != "session":
            out.append(block)
            continue
        out.append({**block, "kind": "session_head", "slots": []})
        out += [
            {"kind": "slot", "key": f"{block['key']}-slot-{index}", "slot": slot}
            for index, slot in enumerate(block["slots"])
        ]
    return out


def paired_rows(left: list[dict], right: list[dict]) -> list[tuple]:
    """Return (English, Russian) rows: blocks with the same key side by side.

    A block whose twin is missing gets an empty cell, or a note for a change
    made in one language only, so nothing after it moves to the wrong row.
    Blocks without a key pair by position.
    """

    def keyed(blocks):
        return [
            (block.get("key") or ("#", index), block)
            for index, block in enumerate(blocks)
        ]

    left_keys, right_keys = keyed(left), keyed(right)
    right_index = {key: index for index, (key, _b) in enumerate(right_keys)}
    left_set = {key for key, _b in left_keys}
    rows, position = [], 0

    def right_only(until: int) -> None:
        for other_key, other in right_keys[position:until]:
            if other_key not in left_set:
                rows.append((missing_twin(other, "en"), other))

    for key, block in left_keys:
        index = right_index.get(key)
        if index is None:
            rows.append((block, missing_twin(block, "ru")))
            continue
        if index >= position:
            right_only(index)
            position = index + 1
        rows.append((block, right_keys[index][1]))
    right_only(len(right_keys))
    return rows


def missing_twin(block: dict, lang: str) -> dict | None:
    """Return what stands beside a block that has no twin in lang."""
    if block.get("kind") != "change":
        return None
    with translation.override(lang):
        text = _("This paragraph did not change in this language.")
    return {"kind": "p", "muted": True, "text": text}


class PackRenderer:
    """Renders packs in one process; keeps shared layouts between packs."""

    def __init__(self, *, cache_size: int = 24, replay: bool | None = None):
        self.fetcher = SafeURLFetcher()
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            url="dialogue-static:css/pdf.css",
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )
        self.cache: OrderedDict = OrderedDict()
        self.cache_size = cache_size
        self.list_cache: OrderedDict = OrderedDict()  # parts of travel lists
        if replay is None:  # PACK_REPLAY and a supported WeasyPrint
            replay = replay_enabled()
        self.replay = replay  # paint shared pages once (replay.py)
        self.freeze = replay
        # Subset fonts of this renderer's PDFs, reused between them (replay.py).
        self.fonts = FontCache() if replay else None
        self.layouts = 0  # documents laid out (for tests and the benchmark)

    # Layout ---------------------------------------------------------------

    def layout(self, template: str, context: dict):
        html = render_to_string(template, context)
        self.layouts += 1
        return HTML(string=html, url_fetcher=self.fetcher).render(
            font_config=self.font_config, stylesheets=[self.stylesheet], **PDF_OPTIONS
        )

    def cached(self, key: tuple, build):
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        document = build()
        if self.replay:
            make_replayable(document)
        self.cache[key] = document
        while len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
            gc.unfreeze()  # let the collector free what was evicted
        if self.freeze:
            # The cached layouts live as long as the process: keep them out of
            # the cyclic collector's full passes, which otherwise walk every box
            # of every cached page (a few tenths of a second, many times a pack).
            gc.collect()
            gc.freeze()
        return document

    @staticmethod
    def section_pages(document, first_page: int) -> dict:
        """Return {section id: page number} from the anchors of laid-out pages."""
        found = {}
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                if anchor.startswith("sec-") or anchor.startswith("person-"):
                    found.setdefault(anchor, first_page + index)
        return found

    # Briefing packs ---------------------------------------------------------

    def part_context(self, edition: str, shared: dict, keys, start_page: int):
        langs = edition_langs(edition)
        first = shared[langs[0]]
        return {
            "edition": edition,
            "html_lang": html_lang(edition),
            "langs": langs,
            "start_page": start_page,
            "running": self.running_title(edition, shared),
            "doc_title": first["meeting"]["short_title"],
            "sections": [
                section(edition, key, {lang: shared[lang][key] for lang in langs})
                for key in keys
            ],
        }

    @staticmethod
    def running_title(edition: str, shared: dict) -> str:
        langs = edition_langs(edition)
        titles = " / ".join(shared[lang]["meeting"]["short_title"] for lang in langs)
        if edition == "bilingual":
            return titles
        return f"{titles} · {title_for(edition, 'pack')}"

    def render_briefing(
        self, edition: str, *, shared: dict, own: dict, shared_key: str
    ) -> tuple[bytes, int]:
        """Return (PDF bytes, page count) of one pack.

        shared and own map each language of the edition to the content dicts of
        content.shared_content and content.own_content; shared_key is the
        shared content's fingerprint (the cache key of its layouts).
        """
        langs = edition_langs(edition)
        front_pages = 2
        for _attempt in range(3):
            head_start = front_pages + 1
            head = self.cached(
                ("head", shared_key, edition, head_start),
                lambda start=head_start: self.layout(
                    "pdf/part.html",
                    self.part_context(edition, shared, HEAD_SECTIONS, start),
                ),
            )
            own_start = head_start + len(head.pages)
            own_doc = self.layout(
                "pdf/part.html",
                {
                    **self.part_context(edition, shared, (), own_start),
                    "sections": [
                        section(
                            edition,
                            "itineraries",
                            {lang: own[lang]["travellers"] for lang in langs},
                        )
                    ],
                    "delegation": " / ".join(own[lang]["delegation"] for lang in langs),
                },
            )
            tail_start = own_start + len(own_doc.pages)
            tail = self.cached(
                ("tail", shared_key, edition, tail_start),
                lambda start=tail_start: self.layout(
                    "pdf/part.html",
                    self.part_context(edition, shared, TAIL_SECTIONS, start),
                ),
            )
            pages = {
                **self.section_pages(head, head_start),
                **self.section_pages(own_doc, own_start),
                **self.section_pages(tail, tail_start),
            }
            front = self.layout(
                "pdf/front.html",
                self.front_context(edition, shared, own, pages),
            )
            if len(front.pages) == front_pages:
                break
            front_pages = len(front.pages)
        document = front.copy([*front.pages, *head.pages, *own_doc.pages, *tail.pages])
        return write_pdf(document, fonts=self.fonts, **PDF_OPTIONS), len(document.pages)

    def front_context(self, edition: str, shared: dict, own: dict, pages: dict):
        langs = edition_langs(edition)
        entries = []
        for key in SECTIONS:
            entries.append(
                {
                    "anchor": f"sec-{key}",
                    "title": title_for(edition, key),
                    "page": pages.get(f"sec-{key}", ""),
                    "level": 1,
                }
            )
            if key == "itineraries":
                for index in range(len(own[langs[0]]["travellers"])):
                    anchor = f"person-{index}"
                    entries.append(
                        {
                            "anchor": anchor,
                            "title": " / ".join(
                                dict.fromkeys(
                                    own[lang]["travellers"][index]["name"]
                                    for lang in langs
                                )
                            ),
                            "page": pages.get(anchor, ""),
                            "level": 2,
                        }
                    )
        delegation = " / ".join(own[lang]["delegation"] for lang in langs)
        return {
            "edition": edition,
            "html_lang": html_lang(edition),
            "langs": langs,
            "start_page": 1,
            "running": self.running_title(edition, shared),
            "doc_title": f"{title_for(edition, 'pack')}: {delegation}",
            "meetings": [shared[lang]["meeting"] for lang in langs],
            "delegation": delegation,
            "pack_title": title_for(edition, "pack"),
            "contents_title": title_for(edition, "contents"),
            "entries": entries,
            "edition_label": edition_label(edition),
            "issued": issued_line(langs),
        }

    def render_whole(
        self, edition: str, *, shared: dict, own: dict
    ) -> tuple[bytes, int]:
        """Return (PDF bytes, page count) of the pack laid out as one HTML document.

        The naive baseline of the benchmark: plain WeasyPrint laying out and
        writing the pack's whole HTML (its own fetcher, fonts and stylesheet, no
        cache), exactly what HTML.write_pdf does. The table of contents uses
        target-counter() within the one document.
        """
        langs = edition_langs(edition)
        context = self.front_context(edition, shared, own, {})
        context["whole"] = True
        context["sections"] = [
            section(edition, key, {lang: shared[lang][key] for lang in langs})
            for key in HEAD_SECTIONS
        ]
        context["own_sections"] = [
            section(
                edition,
                "itineraries",
                {lang: own[lang]["travellers"] for lang in langs},
            )
        ]
        context["tail_sections"] = [
            section(edition, key, {lang: shared[lang][key] for lang in langs})
            for key in TAIL_SECTIONS
        ]
        html = render_to_string("pdf/whole.html", context)
        fetcher = SafeURLFetcher()
        font_config = FontConfiguration()
        stylesheet = CSS(
            url="dialogue-static:css/pdf.css",
            url_fetcher=fetcher,
            font_config=font_config,
        )
        document = HTML(string=html, url_fetcher=fetcher).render(
            font_config=font_config, stylesheets=[stylesheet], **PDF_OPTIONS
        )
        return document.write_pdf(**PDF_OPTIONS), len(document.pages)

    # Visa letters -------------------------------------------------------------

    def render_letter(self, letter: dict) -> tuple[bytes, int]:
        document = self.layout("pdf/visa_letter.html", letter)
        return document.write_pdf(**PDF_OPTIONS), len(document.pages)

    # Badges -------------------------------------------------------------------

    def render_badges(self, content: dict, images: dict) -> tuple[bytes, int]:
        """Return (PDF bytes, page count) of a badge sheet: four A6 cards to an
        A4 page. images are the cards' QR codes and photos, served to this
        layout only (SafeURLFetcher.inline)."""
        self.fetcher.inline = images
        try:
            document = self.layout("pdf/badges.html", content)
            return document.write_pdf(**PDF_OPTIONS), len(document.pages)
        finally:
            self.fetcher.inline = {}

    # Travel lists -------------------------------------------------------------

    def render_list(self, content: dict) -> tuple[bytes, int]:
        """Return (PDF bytes, page count) of a manifest, rooming or transfer list.

        A list of a 193-delegation meeting is some fifty pages of table rows,
        which WeasyPrint lays out slowly; a flight edit changes one row. So the
        list is laid out in parts of LIST_ROWS rows, each starting a page, kept
        in this process by the part's content and first page number, painted
        once and replayed (as the packs' shared pages): a re-render lays out
        only the parts whose rows changed, then writes one tagged PDF of all.
        """
        from dialogue.packs.fingerprint import fingerprint

        lang = content["lang"]
        with translation.override(lang):
            empty = _("Nothing to list yet.")
            continued = _("continued")
        issued = issued_line((lang,))
        pages, start, added = [], 1, False
        for part in list_parts(content, continued=continued):
            context = {
                **part,
                "issued": issued if part["first"] else "",
                "empty": empty,
                "start_page": start,
            }
            key = ("list", fingerprint(context))
            document = self.list_cache.get(key)
            if document is None:
                document = self.layout("pdf/travel_list.html", context)
                if self.replay:
                    make_replayable(document)
                self.list_cache[key] = document
                added = True
            else:
                self.list_cache.move_to_end(key)
            if not pages:
                head = document  # its metadata (title, /Lang) is the PDF's
            pages.extend(document.pages)
            start += len(document.pages)
        while len(self.list_cache) > LIST_CACHE_SIZE:
            self.list_cache.popitem(last=False)
        if added and self.freeze:
            gc.collect()
            gc.freeze()
        whole = head.copy(pages)
        return write_pdf(whole, fonts=self.fonts, **PDF_OPTIONS), len(pages)


# Rows of a travel list laid out together (one landscape page of short rows).
LIST_ROWS = 16
LIST_FIRST_ROWS = 12
LIST_CACHE_SIZE = 600


def _row_bounds(count: int, first_size: int) -> list[tuple[int, int]]:
    """Return [start, end) of each part's rows: first_size, then LIST_ROWS."""
    bounds, index, size = [], 0, first_size
    while index < count or not bounds:
        bounds.append((index, min(index + size, count)))
        index, size = index + size, LIST_ROWS
    return bounds


def list_parts(content: dict, *, continued: str) -> list[dict]:
    """Return the list cut into parts: the title with the first rows, then
    LIST_ROWS rows at a time, a group's heading on its first part and
    "(continued)" on the others. Each part is a whole template context."""
    common = {
        key: content[key]
        for key in (
            "lang",
            "kind",
            "title",
            "meeting",
            "delegation",
            "doc_title",
            "running",
            "note",
            "columns",
        )
    }
    parts = []
    for group in content["groups"]:
        rows = group["rows"]
        # The first page also carries the title and the note: fewer rows.
        first_size = LIST_ROWS if parts else LIST_FIRST_ROWS
        for index, end in _row_bounds(len(rows), first_size):
            parts.append(
                {
                    **common,
                    "first": not parts,
                    "groups": [
                        {
                            "heading": group["heading"],
                            "subheading": group["subheading"],
                            "continued": continued if index else "",
                            "rows": [
                                {
                                    "cells": r["cells"],
                                    "head": r["head"],
                                    "status": r["status"],
                                }
                                for r in rows[index:end]
                            ],
                        }
                    ],
                }
            )
    if not parts:
        parts.append({**common, "first": True, "groups": []})
    return parts


def issued_line(langs) -> str:
    """Return "Issued on 2 December 2026" in the edition's languages.

    The cover's date is the day the pack is laid out: a pack is laid out again
    whenever what it shows changes, so it is the date of this issue.
    """
    from dialogue.packs.content import fmt_date

    today = timezone.localdate()
    parts = []
    for lang in langs:
        with translation.override(lang):
            parts.append(_("Issued on %(date)s") % {"date": fmt_date(today, lang)})
    return " / ".join(parts)


def edition_label(edition: str) -> str:
    labels = {
        "en": "English edition",
        "ru": "Издание на русском языке",
        "bilingual": "English and Russian / На английском и русском языках",
    }
    return labels[edition]


_local = threading.local()


def renderer() -> PackRenderer:
    """Return this process's renderer (and its cache of shared layouts).

    One per thread: WeasyPrint objects are not shared between threads. A Celery
    prefork child keeps its renderer until it is recycled.
    """
    instance = getattr(_local, "renderer", None)
    if instance is None:
        instance = _local.renderer = PackRenderer()
    return instance
