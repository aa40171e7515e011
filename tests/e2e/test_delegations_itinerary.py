"""A delegate opens their link in Chromium, switches to Russian, downloads the .ics."""

import re
from pathlib import Path

import pytest
from icalendar import Calendar

from delegations.services import issue_itinerary_link
from tests.factories import FlightLegFactory, HotelStayFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def test_delegate_link_russian_and_calendar(live_server, page, screenshot):
    flight = FlightLegFactory(
        delegate__name_latin="Nurlan Sadykov",
        delegate__name_cyrillic="Нурлан Садыков",
        delegate__preferred_language="en",
    )
    HotelStayFactory(delegate=flight.delegate)
    link = issue_itinerary_link(flight.delegate)

    page.goto(f"{live_server.url}/l/{link.token}/")
    assert page.locator("h2").first.inner_text() == "Nurlan Sadykov"
    assert "09:10" in page.locator("table.flights").inner_text()
    screenshot("en")

    page.get_by_role("link", name="Русский").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h2").first.inner_text() == "Нурлан Садыков"
    body = page.locator("main").inner_text()
    assert "Ваш маршрут" in body
    assert "Гостиница «Йылдыз»" in body
    assert len(CYRILLIC.findall(body)) > 100
    screenshot("ru")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Добавить в календарь (.ics)").click()
    download = download_info.value
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == [
        f"Air Astana {flight.flight_number} NQZ→ASB"
    ]
    start = events[0].decoded("dtstart")
    assert (str(start.tzinfo), start.strftime("%Y-%m-%d %H:%M")) == (
        "Asia/Almaty",
        "2017-06-12 09:10",
    )


def test_delegate_page_fits_a_phone(live_server, browser):
    flight = FlightLegFactory()
    link = issue_itinerary_link(flight.delegate)
    context = browser.new_context(viewport={"width": 375, "height": 740})
    phone = context.new_page()
    phone.goto(f"{live_server.url}/l/{link.token}/?lang=ru")
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "phone-ru.png"), full_page=True)
    context.close()
    assert overflow == 0
