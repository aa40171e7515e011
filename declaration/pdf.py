"""The declaration's text as PDF (WeasyPrint), in English or Russian.

The HTML comes from a Django template (autoescaped: a paragraph's text is plain
text, never markup). The URL fetcher refuses every URL, whatever its scheme, so
nothing typed into a paragraph can make the renderer read a file or call a
server. The one exception is our own embedded font (`dialoguefont:` names, the
Noto Sans of the fontpkg-noto-sans wheel, the packs' font): Cyrillic then renders
the same on every machine, with no system fonts.
"""

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from declaration.models import Version
from declaration.selectors import version_paragraphs


class FetchRefused(Exception):
    """The declaration PDF fetches nothing."""


class RefuseAllFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that refuses every URL but our embedded font."""

    def __init__(self):
        super().__init__(allowed_protocols=(), fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        from dialogue.fonts import FONT_SCHEME, font_bytes

        if url.startswith(FONT_SCHEME):
            data = font_bytes(url[len(FONT_SCHEME) :])
            if data is not None:
                return URLFetcherResponse(
                    url, body=data, headers={"Content-Type": "font/ttf"}
                )
        from dialogue.documents import media_bytes

        image = media_bytes(url)  # the meeting's logo on the letterhead
        if image is not None:
            return URLFetcherResponse(url, body=image)
        self.refused.append(url)
        raise FetchRefused(f"the declaration PDF fetches nothing: {url[:80]}")


def render_html(version: Version, lang: str) -> str:
    """Return the HTML the PDF is made from."""
    declaration = version.declaration
    meeting = declaration.meeting
    adoption = getattr(version, "adoption", None)
    with translation.override(lang):
        return render_to_string(
            "declaration/pdf/version.html",
            {
                "version": version,
                "declaration": declaration,
                "title": declaration.title(lang),
                "meeting": meeting,
                "meeting_title": meeting.title(lang),
                "city": getattr(meeting, f"city_{lang}"),
                "letterhead": letterhead(meeting, lang),
                "paragraphs": [
                    {"paragraph": p, "text": p.text(lang)}
                    for p in version_paragraphs(version)
                ],
                "adoption": adoption,
                "adopting": [d.name(lang) for d in adoption.delegations.all()]
                if adoption
                else [],
                "lang": lang,
            },
        )


def letterhead(meeting, lang: str) -> dict:
    """Return the meeting's letterhead for the PDF: logo, alt text, organisers."""
    from dialogue.documents import meeting_image

    lines = [
        line.strip()
        for line in getattr(meeting, f"letterhead_{lang}").splitlines()
        if line.strip()
    ]
    return {
        "logo": meeting_image(meeting, "logo"),
        "logo_alt": getattr(meeting, f"logo_alt_{lang}") or meeting.title(lang),
        "lines": lines or [getattr(meeting, f"organisers_{lang}")],
        "symbol": meeting.document_symbol,
    }


def render_version_pdf(
    version: Version, lang: str, *, fetcher: RefuseAllFetcher | None = None
) -> bytes:
    """Return the version's text as a tagged PDF/UA-1 file in one language."""
    html = render_html(version, lang)
    return HTML(
        string=html, base_url=None, url_fetcher=fetcher or RefuseAllFetcher()
    ).write_pdf(pdf_variant="pdf/ua-1")


def pdf_filename(version: Version, lang: str) -> str:
    status = "final" if version.status == Version.Status.ADOPTED else "draft"
    return f"declaration-{version.declaration_id}-v{version.number}-{status}-{lang}.pdf"
