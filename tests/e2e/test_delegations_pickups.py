"""The transport officer's page of the day's pickups on a phone (390 px), in
English and Russian: it fits, axe-core finds nothing serious, the pickups are
in time order, and the next day is reached with the keyboard alone."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from tests.e2e.test_accessibility import (
    PAGE_WIDTH,
    PHONE,
    axe_source,
    blocking_violations,
    describe,
    log_in,
    set_language,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The fixture's pickups on 12 June, one per car: Kyrgyzstan's, Kazakhstan's and
# Tajikistan's heads ride alone, the others share; Uzbekistan's three share one
# pickup (no car entered yet).
TIMES_12_JUNE = ["10:10", "10:10", "11:25", "11:25", "13:35", "13:35", "15:05"]
PATH = "/admin/delegations/delegation/pickups/?day=2017-06-12"


@pytest.fixture
def officer(ashgabat):
    user = get_user_model().objects.create_user(
        "transport", password=None, is_staff=True
    )
    # A transactional test's flush empties the groups its migration made.
    group, _new = Group.objects.get_or_create(name="Transport officers")
    group.permissions.add(Permission.objects.get(codename="view_pickups"))
    user.groups.add(group)
    return user


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_pickups_fit_a_phone_in_time_order(
    live_server, page, screenshot, officer, lang
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, officer)
    set_language(page, live_server, lang)
    response = page.goto(live_server.url + PATH)
    assert response.status == 200
    assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]
    violations = blocking_violations(page, axe_source())
    assert violations == [], describe(PATH, violations)
    times = page.locator(".pickup-time").all_inner_texts()
    assert times == TIMES_12_JUNE
    cyrillic = "Подача машин" if lang == "ru" else "Pickups"
    assert cyrillic in page.locator("h1").inner_text()
    screenshot(lang)

    # The keyboard alone: Tab to "Next day" and press Enter.
    for _step in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('rel')") == "next":
            break
    else:
        pytest.fail("no focusable 'next day' link")
    page.keyboard.press("Enter")
    page.wait_for_url("**day=2017-06-14")
    assert page.locator(".pickup").count() >= 1
    assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]
