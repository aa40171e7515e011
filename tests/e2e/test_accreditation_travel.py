"""A focal point requests a funded delegate's travel on a phone, by keyboard,
in English and Russian; a delegate asks to change a booked flight. axe-core
finds no serious or critical violation on the pages, and none scrolls
sideways at 390 px."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from accreditation.models import FlightChangeRequest, TravelRequest
from accreditation.services.travel_requests import (
    submit_change_request,
    submit_travel_request,
)
from delegations.services import issue_itinerary_link
from tests.e2e.test_accessibility import (
    DESKTOP,
    PHONE,
    axe_source,
    blocking_violations,
    check_pages,
    describe,
    log_in,
    set_language,
)
from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TRIP = {
    "departure": "Dushanbe",
    "outbound_date": datetime.date(2017, 6, 12),
    "return_date": datetime.date(2017, 6, 14),
}


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def check(page, source: str, found: list[str]) -> None:
    """Run axe-core on the page as it is; record what blocks, and any overflow."""
    violations = blocking_violations(page, source)
    if violations:
        found.append(describe(page.url, violations))
    if overflow(page):
        found.append(f"{page.url}: scrolls sideways by {overflow(page)} px")


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    from tests.e2e.conftest import csp_violations

    refused = csp_violations(page)
    try:
        yield page
    finally:
        context.close()
    assert refused == []


def shot(page, name: str):
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"travel-{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("lang", "request_link", "moscow", "submit", "waiting"),
    [
        (
            "en",
            "Request travel for Zarina Nazarova",
            "several airports serve Moscow",
            "Send to the travel desk",
            "waiting for the travel desk",
        ),
        (
            "ru",
            "Запросить поездку — Зарина Назарова",
            "в городе Москва несколько аэропортов",
            "Отправить в службу бронирования",
            "ожидает ответа службы бронирования",
        ),
    ],
)
def test_focal_point_requests_travel_on_a_phone(
    live_server, phone, lang, request_link, moscow, submit, waiting
):
    delegation = DelegationFactory(
        name_en="Tajikistan", name_ru="Таджикистан", language=lang
    )
    delegate = DelegateFactory(
        delegation=delegation,
        funded=True,
        name_latin="Zarina Nazarova",
        name_cyrillic="Зарина Назарова",
    )
    FlightLegFactory(
        delegate=DelegateFactory(delegation=delegation, name_cyrillic="Нодир Каримов"),
        status="booked",
    )
    token = issue_itinerary_link(delegation).token
    source = axe_source()
    found: list[str] = []

    phone.goto(f"{live_server.url}/l/{token}/?lang={lang}")
    check(phone, source, found)
    shot(phone, f"{lang}-panel")

    # By keyboard: the panel's link, then the form field by field.
    link = phone.get_by_role("link", name=request_link)
    link.focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert f"/travel/{delegate.pk}/" in phone.url
    check(phone, source, found)
    shot(phone, f"{lang}-form")

    departure = phone.locator("#id_departure")
    departure.focus()
    phone.keyboard.type("Moscow" if lang == "en" else "Москва")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "id_outbound_date"
    # A date field's segments follow the browser's own locale: set them whole.
    phone.locator("#id_outbound_date").fill("2017-06-12")
    phone.locator("#id_return_date").fill("2017-06-14")
    phone.locator("#id_notes").focus()
    phone.keyboard.type("Morning flights" if lang == "en" else "Утренние рейсы")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.value") == submit
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    error = phone.locator("#id_departure").evaluate(
        "el => el.closest('.mb-3, div').innerText"
    )
    assert moscow in error and "SVO" in error
    assert not TravelRequest.objects.exists()
    check(phone, source, found)
    shot(phone, f"{lang}-error")

    departure = phone.locator("#id_departure")
    departure.fill("")
    departure.focus()
    phone.keyboard.type("DYU")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")  # submits the form from the field
    request = TravelRequest.objects.get()
    assert (request.departure_airport, str(request.outbound_date)) == (
        "DYU",
        "2017-06-12",
    )
    assert waiting in phone.locator("#travel").inner_text().lower()
    check(phone, source, found)
    shot(phone, f"{lang}-sent")
    assert found == []


def test_delegate_asks_for_a_change_on_a_phone(live_server, phone):
    flight = FlightLegFactory(
        delegate__name_cyrillic="Нурлан Садыков",
        delegate__preferred_language="ru",
        status="ticketed",
    )
    token = issue_itinerary_link(flight.delegate).token
    source = axe_source()
    found: list[str] = []
    phone.goto(f"{live_server.url}/l/{token}/?lang=ru")
    link = phone.get_by_role(
        "link", name=f"Попросить изменить рейс {flight.flight_number}"
    )
    link.focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    check(phone, source, found)
    shot(phone, "ru-change")
    phone.locator("#id_change").focus()
    phone.keyboard.type("На день позже, пожалуйста.")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "id_new_date"
    phone.locator("#id_new_date").fill("2017-06-13")
    phone.locator("input[type=submit]").focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    change = FlightChangeRequest.objects.get()
    assert (change.requested_by, str(change.new_date)) == ("delegate", "2017-06-13")
    assert "На день позже" in phone.locator("#travel").inner_text()
    check(phone, source, found)
    shot(phone, "ru-change-sent")
    assert found == []


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_travel_desk_pages_have_no_serious_violation(live_server, page, lang):
    delegate = DelegateFactory(funded=True, name_latin="Zarina Nazarova")
    request = submit_travel_request(delegate.delegation, delegate=delegate, **TRIP)
    flight = FlightLegFactory(delegate=delegate, status="booked")
    change = submit_change_request(
        flight,
        link=issue_itinerary_link(delegate.delegation),
        change="A day later, please.",
    )
    # A transactional test flushes the migrations' groups: a superuser here.
    desk = get_user_model().objects.create_superuser("desk", "d@example.org", None)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, desk)
    set_language(page, live_server, lang)
    paths = [
        "/admin/accreditation/travelrequest/",
        f"/admin/accreditation/travelrequest/{request.pk}/change/",
        f"/admin/accreditation/travelrequest/{request.pk}/book/",
        f"/admin/accreditation/travelrequest/{request.pk}/decline/",
        "/admin/accreditation/flightchangerequest/",
        f"/admin/accreditation/flightchangerequest/{change.pk}/review/",
    ]
    found = check_pages(page, live_server.url, paths, None, lang)
    page.goto(f"{live_server.url}/admin/accreditation/travelrequest/{request.pk}/book/")
    assert page.locator("#id_outbound-from_airport").input_value() == "DYU"
    assert overflow(page) == 0
    shot(page, f"{lang}-admin-book")
    page.goto(
        f"{live_server.url}/admin/accreditation/flightchangerequest/{change.pk}/review/"
    )
    shot(page, f"{lang}-admin-change")
    assert found == [], "\n" + "\n".join(found)
