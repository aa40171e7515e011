"""A focal point nominates an adviser on a phone, in Russian, by keyboard; the
secretariat approves it in the admin; the delegation's page lists her. Then a
withdrawal is sent and returned with a reason. axe-core finds no serious or
critical violation on the way, and nothing scrolls sideways at 390 px."""

import pytest
from django.contrib.auth import get_user_model

from accreditation.models import NominationRequest
from delegations.models import Delegate
from delegations.services import issue_itinerary_link
from tests.e2e.test_accessibility import DESKTOP, PHONE, axe_source, log_in
from tests.e2e.test_accreditation_travel import check
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADVISER = [
    ("#id_name_latin", "Zarina Nazarova"),
    ("#id_name_cyrillic", "Зарина Назарова"),
    ("#id_position_en", "Adviser, Ministry of Foreign Affairs"),
    ("#id_position_ru", "Советник Министерства иностранных дел"),
    ("#id_email", "z.nazarova@mfa-tj.example"),
    ("#id_phone", "+992 37 221 1234"),
]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="ru-RU")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


def test_nominate_approve_withdraw_return(live_server, phone, desk):
    delegation = DelegationFactory(
        country_code="TJ",
        name_en="Tajikistan",
        name_ru="Таджикистан",
        language="ru",
        funded_quota=3,
    )
    head = DelegateFactory(
        delegation=delegation,
        funded=True,
        name_latin="Firuz Rahimzoda",
        name_cyrillic="Фируз Рахимзода",
    )
    token = issue_itinerary_link(delegation).token
    # A superuser: a transactional test's flush may have taken the groups
    # the migrations made.
    secretary = get_user_model().objects.create_superuser(
        "secretary", "secretary@example.org", None
    )
    source = axe_source()
    found: list[str] = []

    # The focal point opens the form from its page, by keyboard.
    phone.goto(f"{live_server.url}/l/{token}/?lang=ru")
    link = phone.get_by_role("link", name="Выдвинуть делегата")
    link.focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    check(phone, source, found)
    phone.locator("#id_honorific").select_option("ms")
    for selector, text in ADVISER:
        phone.locator(selector).focus()
        phone.keyboard.type(text)
    phone.locator("#id_role").select_option("adviser")
    # Sent without the dietary needs: optional. The funded seat is not asked.
    phone.locator("#id_accessibility_needs").focus()
    phone.keyboard.type("место у прохода")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")  # past the funded-seat box
    assert phone.evaluate("document.activeElement.type") == "submit"
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    panel = phone.locator("#nominations").inner_text()
    assert "Зарина Назарова" in panel and "ожидает рассмотрения" in panel
    check(phone, source, found)
    request = NominationRequest.objects.get()
    assert (request.kind, request.status) == ("add", "pending")
    assert request.phone.replace(" ", "") == "+992372211234"
    assert not Delegate.objects.filter(name_latin="Zarina Nazarova").exists()

    # The secretariat approves it from the queue.
    log_in(desk, live_server, secretary)
    desk.goto(f"{live_server.url}/admin/accreditation/nominationrequest/")
    desk.get_by_role("link", name="Review: approve or return").click()
    desk.wait_for_load_state()
    assert "Zarina Nazarova" in desk.locator("#content").inner_text()
    check(desk, source, found)
    desk.get_by_role("button", name="Approve").click()
    desk.wait_for_load_state()
    assert "Approved" in desk.locator(".messagelist").inner_text()
    zarina = Delegate.objects.get(name_latin="Zarina Nazarova")
    assert (zarina.accreditation, zarina.funded) == ("nominated", False)

    # The page lists her; the focal point asks to withdraw Firuz Rahimzoda.
    phone.goto(f"{live_server.url}/l/{token}/?lang=ru")
    people = phone.locator("#nominations ul").inner_text()
    assert "Зарина Назарова (выдвинут)" in people
    phone.get_by_role("link", name=f"Отозвать {head.name('ru')}").click()
    phone.wait_for_load_state()
    check(phone, source, found)
    phone.get_by_role("button", name="Запросить отзыв").click()
    phone.wait_for_load_state()
    withdrawal = NominationRequest.objects.get(kind="withdraw")
    assert withdrawal.target == head

    # Returned with a reason: the person stays, the focal point reads why.
    desk.goto(
        f"{live_server.url}/admin/accreditation/nominationrequest/"
        f"{withdrawal.pk}/review/"
    )
    desk.locator("#id_reason").fill("Please send the note verbale first.")
    desk.get_by_role("button", name="Return with this reason").click()
    desk.wait_for_load_state()
    assert Delegate.objects.filter(pk=head.pk).exists()
    phone.goto(f"{live_server.url}/l/{token}/?lang=ru")
    requests = phone.locator("#nominations table").inner_text()
    assert "Please send the note verbale first." in requests
    check(phone, source, found)
    assert found == []
