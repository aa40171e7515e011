"""WeasyPrint fetches only our static files and font; database text is escaped."""

import logging

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from dialogue.documents import smart_quotes
from dialogue.packs.fetcher import RefusedURL, SafeURLFetcher
from dialogue.packs.files import absolute
from dialogue.packs.models import Pack
from dialogue.packs.render import renderer
from dialogue.packs.services import render_pack
from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory

IMG = '<img src="file:///etc/passwd">'
METADATA = "http://169.254.169.254/latest/meta-data/"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        "data:text/plain,hello",
        "ftp://example.org/x",
        "dialogue-static:../dialogue/settings.py",
        "dialogue-static:/etc/passwd",
        "dialoguefont:../../etc/passwd",
        "dialoguefont:noto-sans.ttf",
    ],
)
def test_fetcher_refuses_anything_not_ours(url, caplog):
    fetcher = SafeURLFetcher()
    with (
        caplog.at_level(logging.WARNING, logger="dialogue.packs"),
        pytest.raises(RefusedURL),
    ):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert "refused" in caplog.text


def test_fetcher_serves_our_stylesheet_and_font():
    fetcher = SafeURLFetcher()
    css = fetcher.fetch("dialogue-static:css/pdf.css")
    font = fetcher.fetch("dialoguefont:noto-sans-700.ttf")
    assert b"@font-face" in css.read()
    assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType file
    assert fetcher.refused == []


def test_fetcher_refusal_fails_closed_inside_weasyprint():
    fetcher = SafeURLFetcher()
    html = (
        f"<html lang=en><body><p>x</p>{IMG}"
        f'<img src="{METADATA}"><link rel=stylesheet href="https://e.org/a.css">'
        "</body></html>"
    )
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert sorted(fetcher.refused) == sorted(
        ["file:///etc/passwd", METADATA, "https://e.org/a.css"]
    )


@pytest.mark.django_db
def test_database_text_prints_as_text_and_fetches_nothing(meeting, media_root):
    delegation = DelegationFactory(meeting=meeting, name_en=f"State {IMG}")
    delegate = DelegateFactory(
        delegation=delegation,
        name_latin=f"Mallory {IMG}",
        position_en=f"Adviser, see {METADATA}",
    )
    FlightLegFactory(delegate=delegate, booking_reference="<b>X1</b>")
    meeting.background_en = f'Intro <link rel="stylesheet" href="{METADATA}">'
    meeting.save()
    pack = Pack.objects.create(meeting=meeting, delegation=delegation, language="en")
    fetcher = renderer().fetcher
    asked_before = len(fetcher.requested)

    assert render_pack(pack.pk) == "rendered"

    pack.refresh_from_db()
    text = " ".join(
        page.extract_text() for page in PdfReader(absolute(pack.file)).pages
    )
    text = " ".join(text.split())
    assert f"Mallory {IMG}" in text
    assert METADATA in text
    # printed as typed, with its straight quotes made typographic
    assert smart_quotes(f'<link rel="stylesheet" href="{METADATA}">', "en") in text
    asked = fetcher.requested[asked_before:]
    assert [url for url in asked if not url.startswith("dialogue-")] == []
    assert "file:///etc/passwd" not in fetcher.requested
    assert METADATA not in fetcher.requested
