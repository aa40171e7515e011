"""The URL fetcher WeasyPrint uses: our own static files and our font, nothing else.

Three schemes are served:

* ``dialogue-static:<path>``: a file found by django.contrib.staticfiles finders
  (static/ of the project), e.g. ``dialogue-static:css/pdf.css``;
* ``dialoguefont:<name>``: one of the font files shipped by the
  fontpkg-noto-sans wheel, so Cyrillic renders in the same embedded font on
  every machine the project installs on. The scheme has letters only, so that
  collectstatic's manifest storage leaves the url() in pdf.css alone (it skips
  ``^[a-z]+:`` URLs and would look for a file named "dialogue-font:..." otherwise);
* ``dialoguemedia:<name>``: a meeting's uploaded logo or signature under
  MEDIA_ROOT/meetings/ (dialogue.documents.media_bytes).

Everything else (``file:``, ``http:``, ``https:``, ``data:``, ``ftp:`` ...) is
refused: logged and never opened. WeasyPrint then leaves the resource out.
"""

import io
import logging
import mimetypes
import os
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

from dialogue.documents import media_bytes

logger = logging.getLogger("dialogue.packs")

STATIC_SCHEME = "dialogue-static:"
FONT_SCHEME = "dialoguefont:"


# name in pdf.css -> (variable font file, weight of the static instance)
FONT_INSTANCES = {
    "noto-sans-400.ttf": ("NotoSans[wdth,wght].ttf", 400),
    "noto-sans-700.ttf": ("NotoSans[wdth,wght].ttf", 700),
    "noto-sans-italic-400.ttf": ("NotoSans-Italic[wdth,wght].ttf", 400),
}


# Latin (with the extensions Turkmen, Uzbek and others need), Greek, Cyrillic,
# punctuation, currency and letter-like symbols: a smaller font to instantiate.
UNICODE_RANGES = [
    (0x20, 0x250),
    (0x370, 0x530),
    (0x1E00, 0x1F00),
    (0x2000, 0x2070),
    (0x20A0, 0x20C0),
    (0x2100, 0x2200),
]


def warm_fonts() -> None:
    """Build the static font instances now (a few seconds, once per machine)."""
    for name in FONT_INSTANCES:
        font_bytes(name)


def font_files() -> dict[str, Path]:
    """Return the variable font files of the fontpkg-noto-sans wheel by name."""
    import fontpkg_noto_sans

    folder = Path(fontpkg_noto_sans.__file__).resolve().parent / "files"
    return {name: folder / source for name, (source, _w) in FONT_INSTANCES.items()}


@cache
def font_bytes(name: str) -> bytes | None:
    """Return a static instance of the variable font (cached on disk and here).

    WeasyPrint would otherwise instantiate the variable font at every PDF write
    (a third of a pack's time); a static instance is only subset.
    """
    if name not in FONT_INSTANCES:
        return None
    source = font_files()[name]
    weight = FONT_INSTANCES[name][1]
    stamp = f"{source.stat().st_size}-{int(source.stat().st_mtime)}"
    cached = Path(settings.VAR_DIR) / "font-cache" / f"{stamp}-{name}"
    if cached.is_file():
        return cached.read_bytes()
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for a, b in UNICODE_RANGES for c in range(a, b)])
    subsetter.subset(font)
    instantiateVariableFont(
        font, {"wght": weight, "wdth": 100}, inplace=True, optimize=False
    )
    buffer = io.BytesIO()
    font.save(buffer)
    data = buffer.getvalue()
    cached.parent.mkdir(parents=True, exist_ok=True)
    temp = cached.with_suffix(f".{os.getpid()}.part")
    temp.write_bytes(data)
    os.replace(temp, cached)
    return data


class RefusedURL(ValueError):
    """WeasyPrint asked for something that is not ours."""


class SafeURLFetcher(URLFetcher):
    """Serve only dialogue-static: and dialoguefont: URLs; refuse the rest.

    `requested` and `refused` keep every URL asked for, so tests (and the log)
    can show what a document tried to load.
    """

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        if url.startswith(FONT_SCHEME):
            data = font_bytes(url[len(FONT_SCHEME) :])
            if data is not None:
                return URLFetcherResponse(
                    url, body=data, headers={"Content-Type": "font/ttf"}
                )
        image = media_bytes(url)
        if image is not None:  # the meeting's logo or signature (dialogue.documents)
            mime, _ = mimetypes.guess_type(url)
            return URLFetcherResponse(
                url, body=image, headers={"Content-Type": mime or "image/png"}
            )
        path = self.resolve(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF fetcher refused %s", url[:200])
            raise RefusedURL(f"refused: {url[:200]}")
        mime, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url,
            body=path.read_bytes(),
            headers={"Content-Type": mime or "application/octet-stream"},
        )

    def resolve(self, url: str) -> Path | None:
        """Return the local file a URL names, or None when it is not ours."""
        if url.startswith(STATIC_SCHEME):
            name = url[len(STATIC_SCHEME) :].lstrip("/")
            if not name or ".." in name.split("/") or "\\" in name:
                return None
            found = finders.find(name)
            return Path(found) if found else None
        return None
