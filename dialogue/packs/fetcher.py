"""The URL fetcher WeasyPrint uses: our own static files and our font, nothing else.

Two schemes are served:

* ``dialogue-static:<path>``: a file found by django.contrib.staticfiles finders
  (static/ of the project), e.g. ``dialogue-static:css/pdf.css``;
* ``dialogue-font:<name>``: one of the font files shipped by the
  fontpkg-noto-sans wheel, so Cyrillic renders in the same embedded font on
  every machine the project installs on.

Everything else (``file:``, ``http:``, ``https:``, ``data:``, ``ftp:`` ...) is
refused: logged and never opened. WeasyPrint then leaves the resource out.
"""

import logging
import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger("dialogue.packs")

STATIC_SCHEME = "dialogue-static:"
FONT_SCHEME = "dialogue-font:"


def font_files() -> dict[str, Path]:
    """Return the font files we serve, by the name used in pdf.css."""
    import fontpkg_noto_sans

    folder = Path(fontpkg_noto_sans.__file__).resolve().parent / "files"
    return {
        "noto-sans.ttf": folder / "NotoSans[wdth,wght].ttf",
        "noto-sans-italic.ttf": folder / "NotoSans-Italic[wdth,wght].ttf",
    }


class RefusedURL(ValueError):
    """WeasyPrint asked for something that is not ours."""


class SafeURLFetcher(URLFetcher):
    """Serve only dialogue-static: and dialogue-font: URLs; refuse the rest.

    `requested` and `refused` keep every URL asked for, so tests (and the log)
    can show what a document tried to load.
    """

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.requested: list[str] = []
        self.refused: list[str] = []
        self._fonts = font_files()

    def fetch(self, url, headers=None):
        self.requested.append(url)
        path = self.resolve(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF fetcher refused %s", url[:200])
            raise RefusedURL(f"refused: {url[:200]}")
        mime, _ = mimetypes.guess_type(path.name)
        if path.suffix == ".ttf":
            mime = "font/ttf"
        return URLFetcherResponse(
            url,
            body=path.read_bytes(),
            headers={"Content-Type": mime or "application/octet-stream"},
        )

    def resolve(self, url: str) -> Path | None:
        """Return the local file a URL names, or None when it is not ours."""
        if url.startswith(FONT_SCHEME):
            return self._fonts.get(url[len(FONT_SCHEME) :])
        if url.startswith(STATIC_SCHEME):
            name = url[len(STATIC_SCHEME) :].lstrip("/")
            if not name or ".." in name.split("/") or "\\" in name:
                return None
            found = finders.find(name)
            return Path(found) if found else None
        return None
