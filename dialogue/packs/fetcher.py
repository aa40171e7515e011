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
  MEDIA_ROOT/meetings/ (dialogue.documents.media_bytes);
* ``dialogueinline:<name>``: an image the renderer made or read for the one
  document it lays out (a badge's QR code and photo, dialogue.packs.badges),
  held in memory in ``inline`` for that layout only.

Everything else (``file:``, ``http:``, ``https:``, ``data:``, ``ftp:`` ...) is
refused: logged and never opened. WeasyPrint then leaves the resource out.
"""

import logging
import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

from dialogue.documents import media_bytes
from dialogue.fonts import FONT_SCHEME, font_bytes

logger = logging.getLogger("dialogue.packs")

STATIC_SCHEME = "dialogue-static:"


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
        # {url: (bytes, content type)} of the document being laid out.
        self.inline: dict[str, tuple[bytes, str]] = {}

    def fetch(self, url, headers=None):
        self.requested.append(url)
        if url.startswith(FONT_SCHEME):
            data = font_bytes(url[len(FONT_SCHEME) :])
            if data is not None:
                return URLFetcherResponse(
                    url, body=data, headers={"Content-Type": "font/ttf"}
                )
        if url in self.inline:
            data, mime = self.inline[url]
            return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})
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
