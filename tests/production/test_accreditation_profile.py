"""Accreditation on the production profile, end to end through the running
site (gunicorn and a worker on PostgreSQL and Redis, DEBUG=0), in Chromium:
Tajikistan's focal point uploads its note verbale; the secretariat approves
it, issues the badges and renders the sheet in the worker; the QR code of the
downloaded PDF decodes to a token; door staff type the printed code and the
delegate is checked in once. Nothing reads the database directly.
"""

import io
import re
import subprocess
from pathlib import Path

import pytest
import weasyprint
from PIL import Image
from pypdf import PdfReader

from tests.production.conftest import wait_until
from tests.production.test_production_profile import (
    assert_styled,
    cells,
    links_by_email,
    log_in,
    open_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.services]

TAJIKISTAN = "protocol@mfa-tj.example"
DOOR_CODE = re.compile(r"\b[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}\b")


def note_verbale(tmp_path: Path) -> Path:
    path = tmp_path / "NV-TJ-2017-0311.pdf"
    path.write_bytes(
        weasyprint.HTML(
            string="<h1>Note verbale No. 0311</h1><p>Нота Министерства</p>"
        ).write_pdf()
    )
    return path


def qr_codes(pdf: Path, tmp_path: Path) -> list[str]:
    import zxingcpp

    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", str(pdf), "card"],
        cwd=tmp_path,
        check=True,
    )
    image = Image.open(next(tmp_path.glob("card*.png")))
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_note_verbale_to_badge_to_the_door(production_site, page, screenshot, tmp_path):
    site = production_site
    focal = links_by_email(site, "--focal-points")[TAJIKISTAN]

    # The focal point uploads the note verbale, on a phone, in Russian.
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, f"{focal}credentials/?lang=ru")
    page.set_input_files("input[type=file]", str(note_verbale(tmp_path)))
    page.get_by_role("button", name="Загрузить").click()
    page.wait_for_load_state()
    panel = page.locator("#credentials")
    assert "NV-TJ-2017-0311.pdf" in panel.inner_text()
    assert "получен, ожидает рассмотрения" in panel.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_styled(page, site)
    screenshot("accreditation-credentials-ru")

    # The secretariat approves it: the three Tajik delegates are accredited.
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, site)
    open_page(page, f"{site.url}/admin/accreditation/credentials/")
    page.get_by_role("link", name="Review: approve or return").first.click()
    page.wait_for_load_state()
    assert "NV-TJ-2017-0311.pdf" in page.locator("#content").inner_text()
    assert page.locator("input[name=accredited]:checked").count() == 3
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "Approved" in page.locator(".messagelist").inner_text()
    open_page(page, f"{site.url}/admin/delegations/delegation/readiness/")
    rows = {row[0].splitlines()[0]: row for row in cells(page, "#readiness")}
    assert rows["Tajikistan"][6].startswith("3 / 3")

    # Badges for Tajikistan, rendered by the worker.
    open_page(page, f"{site.url}/admin/accreditation/badge/issue/")
    page.check("#delegation-3")  # Tajikistan, as the fixture numbers it
    page.get_by_role("button", name="Issue badges").click()
    page.wait_for_load_state()
    assert (
        "Badges issued: 3; 0 already had one."
        in page.locator(".messagelist").inner_text()
    )
    open_page(page, f"{site.url}/admin/packs/pack/badges/")
    page.get_by_role("button", name="Render Tajikistan").click()
    page.wait_for_load_state()

    def sheet_ready():
        open_page(page, f"{site.url}/admin/packs/pack/badges/")
        return page.get_by_role("link", name="PDF Tajikistan").count() == 1

    wait_until(sheet_ready, timeout=120, interval=2, message="badge sheet not ready")
    screenshot("accreditation-badge-sheets")
    # Fetched with the staff member's session (Chromium would show it inline).
    href = page.get_by_role("link", name="PDF Tajikistan").get_attribute("href")
    response = page.context.request.get(f"{site.url}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    sheet = tmp_path / "badges.pdf"
    sheet.write_bytes(response.body())
    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(sheet.read_bytes())).pages
    )
    assert "Firuz Rahimzoda" in text and "Фируз Рахимзода" in text
    assert "ГОСУДАРСТВО-ЧЛЕН" in text
    codes = qr_codes(sheet, tmp_path)
    assert len(codes) == 1 and ":" in codes[0]  # the signed token, no name
    assert "Rahimzoda" not in codes[0]
    door_code = DOOR_CODE.findall(text)[0]

    # At the door: the typed code checks the delegate in, once.
    open_page(page, f"{site.url}/admin/accreditation/checkin/door/")
    page.fill("#door-code", door_code.lower())
    page.get_by_role("button", name="Check in").click()
    page.wait_for_load_state()
    answer = page.locator("#door-answer")
    assert "Checked in" in answer.inner_text()
    assert "Firuz Rahimzoda" in answer.inner_text()
    screenshot("accreditation-door")
    page.fill("#door-code", door_code)
    page.get_by_role("button", name="Check in").click()
    page.wait_for_load_state()
    assert "Already checked in" in page.locator("#door-answer").inner_text()

    # The focal point sees where each delegate stands.
    open_page(page, f"{focal}?lang=en")
    people = page.locator("#nominations").inner_text()
    assert "Firuz Rahimzoda (checked in)" in people
    assert "Davlat Sharipov (accredited)" in people
