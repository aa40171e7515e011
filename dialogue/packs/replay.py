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

Painting was only half of it: writing a pack's PDF then cost half of its time,
mostly the shared pages' objects written again. So the rest is made once per
worker too:

* structure tree: the first time a replayed page is written, the structure
  elements WeasyPrint builds for it (tags.py, thousands per pack) are kept
  serialised as a StructureTemplate, with holes for what moves between packs
  (their object numbers, the page's reference, the parent /Document element);
  later packs place the page's elements from it (_build_box_tree here), the same
  elements in the same order, and the ParentTree maps the same marked-content
  ids. Pages with links or widgets, or anything the template cannot move, are
  built by WeasyPrint every time. The capture checks that the template filled
  in gives pydyf's bytes for every object.
* fonts: each font is widened to its scripts (printable ASCII, basic Cyrillic
  when the pack draws Cyrillic) so that packs of an edition embed the same glyph
  set; FontCache subsets it once per worker and keeps the subset with its
  deflated stream (build_fonts_dictionary here).
* compression: pydyf deflates the object stream and the cross-reference
  stream at level 9, a quarter of a pack for a few per cent of size; PackPDF
  uses the levels in STREAM_LEVELS.

All of this reads WeasyPrint's and pydyf's internals (Page.paint, Stream.clone
and its _tags, _fonts and _resources, pydyf.PDF.pages["Kids"], how tags.add_tags
calls _build_box_tree, fonts.build_fonts_dictionary and Font.clean, the streams
pydyf.PDF.write adds), as of the versions in SUPPORTED_WEASYPRINT. On any
other WeasyPrint, or with the setting PACK_REPLAY off, every page is painted
afresh and written by WeasyPrint alone (plain WeasyPrint: the same PDF but for
the fonts' extra letters and the streams' compression, slower); the version
case is logged once per process.
"""

import copy
import functools
import io
import logging
import re
import zlib
from collections import OrderedDict

import pydyf
import weasyprint
import weasyprint.pdf
import weasyprint.pdf.fonts
import weasyprint.pdf.tags
from django.conf import settings
from fontTools.ttLib import TTFont
from weasyprint.document import Page
from weasyprint.formatting_structure.boxes import PageBox
from weasyprint.pdf.stream import Stream

logger = logging.getLogger("dialogue.packs")

# [from, to): the WeasyPrint versions whose internals this module was written for.
SUPPORTED_WEASYPRINT = ((70, 0), (71, 0))
_warned: set[str] = set()


@functools.cache
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
    __slots__ = ("operators", "tags", "fonts", "states", "written", "structure")

    def __init__(self, operators, tags, fonts, states):
        self.operators = operators
        self.tags = tags
        self.fonts = fonts
        self.states = states
        self.written = {}  # what the page's stream was before -> its PDF bytes
        # The page's part of the structure tree, serialised (a StructureTemplate),
        # None until the first tagged write, False when it cannot be reused.
        self.structure = None


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
        # The page box is shared by every pack: it says whether this pack's
        # drawing of it was replayed, until the page is painted again.
        self._page_box.__dict__[_REPLAYED] = None
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
        # Its part of the structure tree may be placed (_build_box_tree).
        self._page_box.__dict__[_REPLAYED] = recording
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


# The structure tree ----------------------------------------------------------

_REFERENCE = re.compile(rb"(\d+) 0 R\Z")
_HEADER_ID = re.compile(r"(\d+)(-\d+-\d+)\Z")  # tags.py: f"{table.number}-{i}-{j}"
_PARENT, _PAGE = -1, -2  # holes that are not one of the page's own objects


class Unplaceable(Exception):
    """A page's structure objects refer to something a template cannot move."""


def _escape(data: bytes) -> bytes:
    return data.replace(b"%", b"%%")


def _template(value, low: int, high: int, parent: bytes, page: bytes, holes: list):
    """Return value serialised as pydyf would, as a bytes %-format.

    A reference to one of the page's own objects (numbers low to high) becomes
    a %d hole filled with the object's new number, the parent's and the page's
    references %s holes; anything else a template cannot move raises
    Unplaceable. holes receives, in order, what fills each one.
    """
    kind = type(value)
    if kind is bytes:
        match = _REFERENCE.match(value)
        if match is None:
            return _escape(value)
        number = int(match[1])
        if low <= number < high:
            holes.append(number - low)
            return b"%d 0 R"
        if value == parent:
            holes.append(_PARENT)
            return b"%s"
        if value == page:
            holes.append(_PAGE)
            return b"%s"
        raise Unplaceable(value)
    if kind is pydyf.Dictionary:
        return (
            b"<<"
            + b"".join(
                b"/"
                + _escape(pydyf._to_bytes(key))
                + b" "
                + _template(item, low, high, parent, page, holes)
                for key, item in value.items()
            )
            + b">>"
        )
    if kind is pydyf.Array:
        return (
            b"["
            + b" ".join(
                _template(item, low, high, parent, page, holes) for item in value
            )
            + b"]"
        )
    if kind is pydyf.String:
        match = _HEADER_ID.match(str(value.string))
        if match and low <= int(match[1]) < high:
            holes.append(int(match[1]) - low)
            return b"(%d" + match[2].encode("ascii") + b")"
        return _escape(value.data)
    if isinstance(value, pydyf.Object | bytearray):
        raise Unplaceable(kind)
    return _escape(pydyf._to_bytes(value))


class PlacedObject(pydyf.Object):
    """A structure element written from a template: its bytes, made once.

    Thousands per pack, so pydyf.Object's per-instance defaults are class
    attributes here (an object in the object stream is never given an offset).
    """

    generation = 0
    offset = 0
    free = "n"
    compressible = True
    data = b""  # each instance's own, set in __init__

    def __init__(self, data: bytes):  # no super().__init__(): see above
        self.data = data


class StructureTemplate:
    """One replayed page's part of the structure tree, serialised once.

    WeasyPrint builds the structure tree (tags.py, _build_box_tree) by walking
    every box of every page into thousands of StructElem dictionaries, then
    pydyf serialises each of them, for every pack. A replayed page has the same
    boxes and the same marked-content ids in every pack, so its elements differ
    only in their object numbers, the page's reference (/Pg) and the parent of
    its top elements (the /Document element). The template keeps each object
    as a bytes %-format with those as holes; placing it adds the objects with
    their bytes already made.
    """

    __slots__ = ("objects", "top", "nums")

    def __init__(self, objects, top, nums):
        self.objects = objects  # ((format, holes), ...) in object order
        self.top = top  # the page's elements under the parent, in order
        self.nums = nums  # the element of each marked-content id, by id

    @classmethod
    def capture(cls, objects, parent: bytes, page: bytes, top, nums):
        """Return the template of a page's objects just built, or False.

        Checks that every object filled in from the template gives the bytes
        pydyf writes for it (else False: the page is built afresh each time).
        """
        if not objects:
            return False
        low = objects[0].number
        high = low + len(objects)
        values = {_PARENT: parent, _PAGE: page}
        formats = []
        try:
            for index, obj in enumerate(objects):
                if type(obj) is not pydyf.Dictionary or obj.number != low + index:
                    return False
                holes = []
                form = _template(obj, low, high, parent, page, holes)
                holes = tuple(holes)
                filled = form % tuple(
                    low + hole if hole >= 0 else values[hole] for hole in holes
                )
                if filled != obj.data:
                    return False
                formats.append((form, holes))
            relative = []
            for reference in (*top, *nums):
                match = _REFERENCE.match(reference)
                number = int(match[1]) if match else -1
                if not low <= number < high:
                    return False
                relative.append(number - low)
        except Unplaceable:
            return False
        return cls(
            tuple(formats), tuple(relative[: len(top)]), tuple(relative[len(top) :])
        )

    def place(self, pdf, parent: bytes, page: bytes):
        """Add the page's objects to pdf; return (top references, nums references)."""
        base = len(pdf.objects)
        values = {_PARENT: parent, _PAGE: page}
        add = pdf.add_object
        for form, holes in self.objects:
            add(
                PlacedObject(
                    form
                    % tuple(
                        base + hole if hole >= 0 else values[hole] for hole in holes
                    )
                )
            )
        return (
            [b"%d 0 R" % (base + index) for index in self.top],
            [b"%d 0 R" % (base + index) for index in self.nums],
        )


_plain_build_box_tree = weasyprint.pdf.tags._build_box_tree
_REPLAYED = "_dialogue_replayed"  # on a page box: the Recording replayed on it


class _PlacedElement:
    """What WeasyPrint's add_tags reads of a top structure element: its reference."""

    __slots__ = ("reference",)

    def __init__(self, reference: bytes):
        self.reference = reference


def _build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
    """WeasyPrint's _build_box_tree (pdf/tags.py), a replayed page's whole tree
    placed from its StructureTemplate.

    WeasyPrint's add_tags calls it once per page with the page box (and it calls
    itself, through the module, for every box below): for a page whose drawing
    was replayed into this PDF, the elements come from the page's template, or
    are built by WeasyPrint and captured into one the first time. Any other box
    or page, or replay off, is WeasyPrint's alone.
    """
    recording = box.__dict__.get(_REPLAYED) if type(box) is PageBox else None
    if recording is None or not replay_enabled():
        yield from _plain_build_box_tree(
            box, parent, pdf, page_number, nums, annotations, tags
        )
        return
    page = pdf.page_references[page_number]
    template = recording.structure
    if template:
        top, placed = template.place(pdf, parent.reference, page)
        nums.update(enumerate(placed))  # the page's marked-content ids, in order
        tags.clear()  # all mapped, as WeasyPrint's walk pops them
        for reference in top:
            yield _PlacedElement(reference)
        return
    first, annotated = len(pdf.objects), len(annotations)
    elements = list(
        _plain_build_box_tree(box, parent, pdf, page_number, nums, annotations, tags)
    )
    yield from elements
    if template is None:  # not tried yet: capture it (False if it cannot be)
        recording.structure = len(annotations) == annotated and (
            StructureTemplate.capture(
                pdf.objects[first:],
                parent.reference,
                page,
                [element.reference for element in elements],
                [reference for _, reference in sorted(nums.items())],
            )
        )


def install() -> None:
    """Install _build_box_tree and build_fonts_dictionary in WeasyPrint's PDF
    writer (each plain WeasyPrint's while replay is off or for other documents)."""
    weasyprint.pdf.tags._build_box_tree = _build_box_tree
    weasyprint.pdf.build_fonts_dictionary = build_fonts_dictionary


# Compression ------------------------------------------------------------------

# pydyf deflates every stream at level 9. For the object stream (every
# dictionary of the PDF, mostly the structure tree) and the cross-reference
# stream, level 9 costs a quarter of a pack's time for a few per cent of size:
# measured on a 36-page pack, the object stream 51 ms at 9 against 4 ms at 3
# (78 KB against 90 KB), the cross-reference stream 34 ms at 9 against 0.2 ms
# at 1, which is also smaller (9 KB against 12 KB).
STREAM_LEVELS = {"/ObjStm": 3, "/XRef": 1}


class LeveledStream(pydyf.Stream):
    """A pydyf stream deflated at its own level (STREAM_LEVELS)."""

    @property
    def data(self):
        if not self.compress:
            return super().data
        # Deflated here at the stream's level, then written by pydyf as it is.
        raw = b"\n".join(pydyf._to_bytes(item) for item in self.stream)
        deflated = zlib.compress(raw, STREAM_LEVELS[self.extra["Type"]])
        return pydyf.Stream([deflated], {**self.extra, "Filter": "/FlateDecode"}).data


class PackPDF(pydyf.PDF):
    """The pydyf PDF of a pack: its object and cross-reference streams leveled.

    pydyf.PDF.write adds those two streams with add_object just before
    writing them, so that is where they change class.
    """

    def add_object(self, object_):
        if type(object_) is pydyf.Stream and object_.extra.get("Type") in STREAM_LEVELS:
            object_.__class__ = LeveledStream
        super().add_object(object_)


def write_pdf(document, *, fonts: "FontCache | None", **options) -> bytes:
    """Return document.write_pdf(**options) for a pack renderer.

    With its FontCache (a renderer that replays) and replay on: fonts subset
    through the cache, and PackPDF's streams. Else plain WeasyPrint's write.
    """
    if fonts is None or not replay_enabled():
        return document.write_pdf(**options)
    document.fonts = PackFonts(fonts)
    return document.write_pdf(finisher=_pack_pdf, **options)


def _pack_pdf(document, pdf):
    """write_pdf's finisher: the PDF writes its streams as PackPDF's."""
    pdf.__class__ = PackPDF
    for object_ in pdf.objects:  # the font programs, added before the finisher
        if (
            type(object_) is pydyf.Stream
            and len(object_.stream) == 1
            and type(object_.stream[0]) is SubsetFont
        ):
            object_.__class__ = FontFileStream


# Fonts --------------------------------------------------------------------------

# What every pack's fonts hold besides the glyphs it draws: printable ASCII, and
# the basic Cyrillic letters when it draws any Cyrillic. The shared part (the
# list of participants names every delegate) already draws most of them, so a
# delegation's own pages rarely add a glyph outside these and two packs of an
# edition embed the same subset: subset once per worker, written once.
ASCII = range(0x20, 0x7F)
CYRILLIC = (*range(0x410, 0x450), 0x401, 0x451)
FONT_CACHE_SIZE = 24


class SubsetFont(bytes):
    """A subset font program, kept by FontCache; holds its stream's PDF bytes."""

    written: dict


class FontCache:
    """This worker's subset fonts: by font, glyph set and options (bounded)."""

    def __init__(self, size: int = FONT_CACHE_SIZE):
        self.size = size
        self.subsets: OrderedDict = OrderedDict()
        self.cmaps: dict = {}  # font -> {codepoint: (glyph, width)}
        self.subsetted = 0  # fonts subset by WeasyPrint (for tests)

    def cmap(self, font) -> dict:
        key = (font.hash, font.index, len(font.file_content))
        found = self.cmaps.get(key)
        if found is None:
            ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index)
            metrics = ttfont["hmtx"].metrics
            found = {}
            for codepoint, name in ttfont.getBestCmap().items():
                if codepoint in ASCII or codepoint in CYRILLIC:
                    width = round(metrics[name][0] * 1000 / font.upem)
                    found[codepoint] = (ttfont.getGlyphID(name), width)
            while len(self.cmaps) >= self.size:
                self.cmaps.pop(next(iter(self.cmaps)))
            self.cmaps[key] = found
        return found

    def widen(self, font) -> None:
        """Add the script glyphs (ASCII, Cyrillic if used) the font lacks."""
        cmap = self.cmap(font)
        cyrillic = any(
            "\u0400" <= char <= "\u04ff"
            for text in font.to_unicode.values()
            for char in text
        )
        for codepoint in (*ASCII, *(CYRILLIC if cyrillic else ())):
            found = cmap.get(codepoint)
            if found is not None and found[0] not in font.to_unicode:
                glyph, width = found
                font.to_unicode[glyph] = chr(codepoint)
                font.widths.setdefault(glyph, width)

    def clean(self, font, to_unicode, hinting) -> None:
        """Font.clean, or the same subset made for an earlier pack."""
        key = (
            font.hash,
            font.index,
            len(font.file_content),
            tuple(sorted(to_unicode)),
            hinting,
            tuple(sorted(font.variations.items())),
        )
        subset = self.subsets.get(key)
        if subset is None:
            weasyprint.pdf.fonts.Font.clean(font, to_unicode, hinting)
            self.subsetted += 1
            subset = SubsetFont(font.file_content)
            subset.written = {}
            self.subsets[key] = subset
            while len(self.subsets) > self.size:
                self.subsets.popitem(last=False)
        else:
            self.subsets.move_to_end(key)
        font.file_content = subset


class PackFonts(dict):
    """A document's fonts dictionary that carries the renderer's FontCache."""

    def __init__(self, cache: FontCache):
        super().__init__()
        self.cache = cache


def _reusable(font) -> bool:
    """Whether a font's subset can be widened and shared between packs: an
    outline font drawn as WeasyPrint's text, neither variable nor coloured."""
    return not (
        font.bitmap
        or font.used_in_forms
        or font.missing
        or font.png
        or font.svg
        or font.colr
        or "fvar" in font.tables
    )


_plain_build_fonts_dictionary = weasyprint.pdf.build_fonts_dictionary


def build_fonts_dictionary(pdf, fonts, compress, subset, options):
    """WeasyPrint's build_fonts_dictionary, each reusable font widened to its
    scripts and subset through the pack renderer's FontCache (PackFonts).

    Plain WeasyPrint's for any other document, or while replay is off.
    """
    if subset and isinstance(fonts, PackFonts) and replay_enabled():
        cache = fonts.cache
        for font in fonts.values():
            if _reusable(font):
                cache.widen(font)
                font.clean = functools.partial(cache.clean, font)
    return _plain_build_fonts_dictionary(pdf, fonts, compress, subset, options)


class FontFileStream(pydyf.Stream):
    """A font program's stream: deflated once per subset (SubsetFont.written)."""

    @property
    def data(self):
        key = (self.compress, repr(sorted(self.extra.items())))
        written = self.stream[0].written
        if key not in written:
            written[key] = super().data
        return written[key]
