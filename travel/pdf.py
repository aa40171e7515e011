"""The budget summary as a tagged PDF (PDF/UA-1) in English or Russian.

WeasyPrint fetches nothing but the portal's embedded font (dialogue.fonts),
so Cyrillic renders the same on every machine and no URL in a delegation's
name could make the renderer read a file or call a server.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from dialogue.fonts import FONT_SCHEME, font_bytes
from dialogue.models import Meeting
from travel.selectors import LINES, STAGES, budget, line_label


class FetchRefused(Exception):
    """The budget summary fetches nothing but its font."""


class FontOnlyFetcher(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols=(), fail_on_errors=False)

    def fetch(self, url, headers=None):
        if url.startswith(FONT_SCHEME):
            data = font_bytes(url[len(FONT_SCHEME) :])
            if data is not None:
                return URLFetcherResponse(
                    url, body=data, headers={"Content-Type": "font/ttf"}
                )
        raise FetchRefused(f"the budget summary fetches nothing: {url[:80]}")


def render_summary_html(meeting: Meeting, lang: str) -> str:
    """Return the HTML of the summary in the language."""
    with translation.override(lang):
        report = budget(meeting)
        return render_to_string(
            "travel/pdf/budget.html",
            {
                "lang": lang,
                "meeting": meeting,
                "meeting_title": meeting.title(lang),
                "report": report,
                "lines": [line_label(line) for line in LINES],
                "stages": STAGES,
                "dsa_label": report.rules.dsa_label(lang) if report.rules else "",
                "generated": timezone.now(),
            },
        )


def render_summary_pdf(meeting: Meeting, lang: str) -> tuple[bytes, int]:
    """Return the summary's PDF bytes and its number of pages."""
    document = HTML(
        string=render_summary_html(meeting, lang),
        base_url=None,
        url_fetcher=FontOnlyFetcher(),
    ).render(pdf_variant="pdf/ua-1")
    return document.write_pdf(pdf_variant="pdf/ua-1"), len(document.pages)
