"""The final text as PDF: both languages, Cyrillic, markup shown as text, no fetch."""

import io
import subprocess

import pytest
from pypdf import PdfReader

from declaration.pdf import RefuseAllFetcher, render_html, render_version_pdf
from dialogue.documents import smart_quotes
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.services import need_pdftoppm

XSS = '<script>alert(1)</script> <img src="file:///etc/passwd">'


@pytest.fixture
def adopted(db):
    from declaration.services import record_adoption

    declaration = DeclarationFactory(
        title_en="Ashgabat Declaration", title_ru="Ашхабадская декларация"
    )
    version = version_with_text(
        declaration,
        1,
        text=[
            ("preambular", "Recalling the Global Strategy,", "ссылаясь на Стратегию,"),
            ("operative", f"Commit to act {XSS};", f"обязуемся действовать {XSS};"),
        ],
        status="circulated",
    )
    import datetime

    record_adoption(version, adopted_on=datetime.date(2017, 6, 13), by_acclamation=True)
    version.refresh_from_db()
    return version


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_in_russian_has_cyrillic_text(adopted):
    text = pdf_text(render_version_pdf(adopted, "ru"))
    assert "Ашхабадская декларация" in text
    assert "ссылаясь на Стратегию," in text
    assert "Принята 13 июня 2017 года путём аккламации." in text


def test_pdf_in_english(adopted):
    text = pdf_text(render_version_pdf(adopted, "en"))
    assert "Ashgabat Declaration" in text
    assert "Adopted by acclamation on 13 June 2017." in text


def test_pdf_shows_markup_as_text_and_fetches_nothing(adopted):
    fetcher = RefuseAllFetcher()
    html = render_html(adopted, "en")
    assert "<script>" not in html and "<img" not in html
    text = pdf_text(render_version_pdf(adopted, "en", fetcher=fetcher))
    assert "<script>alert(1)</script>" in text
    # printed as typed, its straight quotes made typographic
    assert smart_quotes('<img src="file:///etc/passwd">', "en") in text
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "http://169.254.169.254/", "data:text/plain,x"]
)
def test_fetcher_refuses_every_scheme(url):
    fetcher = RefuseAllFetcher()
    with pytest.raises(Exception, match="fetches nothing"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_pdf_renders_to_png_pages(adopted, tmp_path):
    need_pdftoppm()
    for lang in ("en", "ru"):
        source = tmp_path / f"{lang}.pdf"
        source.write_bytes(render_version_pdf(adopted, lang))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", str(source), str(tmp_path / lang)],
            check=True,
        )
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["en-1.png", "ru-1.png"]


def test_pdf_embeds_our_font_only(adopted):
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render_version_pdf(adopted, "ru")))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font.get("/FontDescriptor")
                or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            descriptor = descriptor.get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    # Only our @font-face family (Noto Sans from the wheel), no system font.
    assert fonts == {"Declaration-Sans", "Declaration-Sans-Bold"}
