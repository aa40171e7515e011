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
"""

import copy

import pydyf
from weasyprint.document import Page


class Recording:
    __slots__ = ("operators", "tags", "fonts", "states")

    def __init__(self, operators, tags, fonts, states):
        self.operators = operators
        self.tags = tags
        self.fonts = fonts
        self.states = states


# Graphics states whose names do not depend on the document (set_alpha's keys).
def _portable_state(key: str) -> bool:
    return key[:1] in ("a", "A") and key[1:2].isdigit()


class ReplayPage(Page):
    """A laid-out page of a shared part; see the module docstring."""

    _recording = None  # a Recording, or False when the page cannot be replayed

    def paint(self, stream, scale=1):
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
        stream.stream.extend(recording.operators)
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
    """Turn the document's pages into ReplayPages (in place); return it."""
    for page in document.pages:
        if type(page) is Page:
            page.__class__ = ReplayPage
    return document
