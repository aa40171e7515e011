"""Paint a shared page once, replay its drawing in every pack that shows it.

Laying out the shared part once per worker process (render.py) leaves the
painting: WeasyPrint draws every page of a document into its PDF content
stream at write time, so each pack painted the same overview, programme,
participants and declaration pages again (about half of a pack's time at 193
delegations). A shared page is the same in every pack, so its drawing is
recorded the first time and replayed afterwards:

* the content-stream operators are appended as recorded;
* its marked-content ids (the PDF/UA tags) are restored for the page, keyed by
  the same laid-out boxes, so WeasyPrint's structure tree is built as before;
* the glyphs it used are added to the document's fonts, so the embedded font
  subsets still hold every glyph of the page.

A page whose drawing needs more than that (images, patterns, shadings, groups,
glyphs missing from the font, or marks placed on the page before the drawing)
is painted normally, every time.

All of this reads WeasyPrint's and pydyf's internals (Page.paint, Stream.clone
and its _tags, _fonts and _resources, pydyf.PDF.pages["Kids"]), as of the
versions in SUPPORTED_WEASYPRINT. On any other WeasyPrint, or with the setting
PACK_REPLAY off, every page is painted afresh (plain WeasyPrint: the same PDF,
slower); the version case is logged once per process.
"""

import copy
import logging

import pydyf
import weasyprint
from django.conf import settings
from weasyprint.document import Page
from weasyprint.pdf.stream import Stream

logger = logging.getLogger("dialogue.packs")

# [from, to): the WeasyPrint versions whose internals this module was written for.
SUPPORTED_WEASYPRINT = ((70, 0), (71, 0))
_warned: set[str] = set()


def version_supported(version: str) -> bool:
    """Return whether a WeasyPrint version is one replay was written for."""
    try:
        parts = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        return False
    low, high = SUPPORTED_WEASYPRINT
    return low <= (parts + (0,))[:2] < high


def replay_enabled() -> bool:
    """Return whether shared pages are replayed: PACK_REPLAY on, and a supported
    WeasyPrint (else plain painting, with one warning per process and version)."""
    if not getattr(settings, "PACK_REPLAY", True):
        return False
    version = weasyprint.__version__
    if version_supported(version):
        return True
    if version not in _warned:
        _warned.add(version)
        logger.warning(
            "WeasyPrint %s is outside the versions pack replay was written for "
            "(%s to %s): painting every page afresh.",
            version,
            ".".join(map(str, SUPPORTED_WEASYPRINT[0])),
            ".".join(map(str, SUPPORTED_WEASYPRINT[1])),
        )
    return False


class Recording:
    __slots__ = ("operators", "tags", "fonts", "states", "written")

    def __init__(self, operators, tags, fonts, states):
        self.operators = operators
        self.tags = tags
        self.fonts = fonts
        self.states = states
        self.written = {}  # what the page's stream was before -> its PDF bytes


class ReplayedStream(Stream):
    """A page stream holding a replayed drawing: compressed once, then reused.

    pydyf compresses every stream at level 9 when the PDF is written; a page
    stream made of the same operators gives the same bytes, so they are kept on
    the recording, keyed by the operators drawn before the replay (the page's
    transformation) and checked against the stream's length and dictionary.
    """

    _replay = None

    @property
    def data(self):
        recording, before = self._replay
        key = (
            before,
            len(self.stream),
            self.compress,
            repr(sorted(self.extra.items())),
        )
        if len(self.stream) != len(before) + len(recording.operators):
            return super().data
        written = recording.written.get(key)
        if written is None:
            written = recording.written[key] = super().data
        return written


# Graphics states whose names do not depend on the document (set_alpha's keys).
def _portable_state(key: str) -> bool:
    return key[:1] in ("a", "A") and key[1:2].isdigit()


class ReplayPage(Page):
    """A laid-out page of a shared part; see the module docstring."""

    _recording = None  # a Recording, or False when the page cannot be replayed

    def paint(self, stream, scale=1):
        if not replay_enabled():
            super().paint(stream, scale)
            return
        tagged = stream._tags is not None
        if self._recording is None:
            self._recording = self._record(stream, scale)
        recording = self._recording
        if (
            recording is False
            or (stream._tags or None) is not None
            or tagged != (recording.tags is not None)
        ):
            super().paint(stream, scale)
            return
        before = tuple(
            bytes(op) if isinstance(op, bytearray) else op for op in stream.stream
        )
        stream.stream.extend(recording.operators)
        if type(stream) is Stream and all(isinstance(op, bytes) for op in before):
            stream.__class__ = ReplayedStream
            stream._replay = (recording, before)
        if tagged:
            stream._tags.update(recording.tags)
        states = stream._resources["ExtGState"]
        for key, value in recording.states.items():
            if key not in states:
                states[key] = value
        for key, font in recording.fonts.items():
            target = stream._fonts.get(key)
            if target is None:
                target = copy.copy(font)
                target.widths = dict(font.widths)
                target.to_unicode = dict(font.to_unicode)
                target.missing = {}
                target.variations = dict(font.variations)
                stream._fonts[key] = target
                continue
            for glyph, width in font.widths.items():
                target.widths.setdefault(glyph, width)
            for glyph, text in font.to_unicode.items():
                target.to_unicode.setdefault(glyph, text)

    def _record(self, stream, scale):
        """Return the page's drawing painted into a scratch stream, or False."""
        resources = pydyf.Dictionary(
            {
                "ExtGState": pydyf.Dictionary(),
                "XObject": pydyf.Dictionary(),
                "Pattern": pydyf.Dictionary(),
                "Shading": pydyf.Dictionary(),
                "ColorSpace": stream._resources["ColorSpace"],
            }
        )
        fonts, images = {}, {}
        tags = {} if stream._tags is not None else None
        scratch = stream.clone(
            fonts=fonts, resources=resources, images=images, tags=tags
        )
        super().paint(scratch, scale)
        if (
            images
            or resources["XObject"]
            or resources["Pattern"]
            or resources["Shading"]
            or not all(_portable_state(key) for key in resources["ExtGState"])
            or any(font.missing or font.used_in_forms for font in fonts.values())
        ):
            return False
        return Recording(scratch.stream, tags, fonts, dict(resources["ExtGState"]))


def make_replayable(document):
    """Turn the document's pages into ReplayPages (in place); return it.

    Leaves them plain when replay is off (replay_enabled).
    """
    if not replay_enabled():
        return document
    for page in document.pages:
        if type(page) is Page:
            page.__class__ = ReplayPage
    return document


def _page_references(self):
    """pydyf's PDF.page_references, built once per page count instead of per call.

    WeasyPrint's tagging reads it for every structure element, and pydyf builds
    the tuple of every page's reference at each read: quadratic in pages (a
    tenth of a 36-page pack's time). Pages are only ever appended, so the tuple
    for a given number of pages never changes.
    """
    if not replay_enabled():
        return _plain_page_references(self)
    kids = self.pages["Kids"]
    cached = self.__dict__.get("_page_references")
    if cached is None or cached[0] != len(kids):
        references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = self.__dict__["_page_references"] = (len(kids), references)
    return cached[1]


_plain_page_references = pydyf.PDF.page_references.fget


def speed_up_page_references() -> None:
    """Install the memoised page_references on pydyf.PDF (same results).

    It falls back to pydyf's own at each read while replay is off.
    """
    if getattr(pydyf.PDF.page_references, "fget", None) is not _page_references:
        pydyf.PDF.page_references = property(_page_references)
