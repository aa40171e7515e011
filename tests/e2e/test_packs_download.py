"""A delegate opens their link, sees the ready packs and downloads the RU pack."""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from delegations.services import issue_itinerary_link
from dialogue.packs.models import Pack
from dialogue.packs.services import render_pack
from tests.e2e.conftest import ARTIFACTS
from tests.factories import FlightLegFactory, HotelStayFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CYRILLIC = re.compile(r"[\u0400-\u04FF]{3,}")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def panel_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"packs-panel-{name}.png"
    page.locator("#briefing-pack").screenshot(path=str(path))
    return path


def test_delegate_downloads_russian_pack(live_server, page, screenshot, media_root):
    flight = FlightLegFactory(
        delegate__name_latin="Nurlan Sadykov",
        delegate__name_cyrillic="Нурлан Садыков",
        delegate__preferred_language="en",
    )
    HotelStayFactory(delegate=flight.delegate)
    delegation = flight.delegate.delegation
    for language in ("en", "ru", "bilingual"):
        pack = Pack.objects.create(
            meeting=delegation.meeting, delegation=delegation, language=language
        )
        assert render_pack(pack.pk) == "rendered"
    link = issue_itinerary_link(flight.delegate)

    page.goto(f"{live_server.url}/l/{link.token}/?lang=en")
    panel = page.locator("#briefing-pack")
    assert panel.locator("h2").inner_text() == "Briefing pack"
    assert panel.get_by_role("link").all_inner_texts() == [
        "In English",
        "In Russian",
        "In English and Russian, side by side",
    ]
    screenshot("en")
    panel_screenshot(page, "en")

    page.get_by_role("link", name="Русский").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    panel = page.locator("#briefing-pack")
    assert panel.locator("h2").inner_text() == "Информационный пакет"
    assert panel.get_by_role("link").all_inner_texts() == [
        "На английском языке",
        "На русском языке",
        "На английском и русском языках (параллельный текст)",
    ]
    screenshot("ru")
    panel_screenshot(page, "ru")

    with page.expect_download() as download_info:
        panel.get_by_role("link").nth(1).click()
    download = download_info.value
    assert download.suggested_filename == "briefing-pack-ru.pdf"
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Нурлан Садыков" in text
    assert len(CYRILLIC.findall(text)) > 50
    assert reader.trailer["/Root"]["/Lang"] == "ru"
