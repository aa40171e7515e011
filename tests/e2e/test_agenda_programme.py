"""A focal point reads the programme in Russian with their Minister's turn marked."""

import pytest
from django.core.management import call_command

from delegations.models import Delegation
from delegations.services import issue_itinerary_link


@pytest.mark.django_db(transaction=True)
def test_focal_point_sees_programme_in_russian_with_minister_highlighted(
    live_server, page, screenshot
):
    call_command("loaddata", "ashgabat_2017", verbosity=0)
    kazakhstan = Delegation.objects.get(pk=1)
    link = issue_itinerary_link(kazakhstan)

    page.goto(f"{live_server.url}/l/{link.token}/?lang=en")
    page.get_by_role("link", name="Русский").click()
    page.wait_for_url("**lang=ru")

    programme = page.locator("#programme")
    assert programme.locator("h2").first.inner_text() == "Программа"
    highlighted = programme.locator("tr.highlight")
    assert highlighted.count() == 1
    row = highlighted.first.inner_text()
    assert "Нурлан Садыков" in row
    assert "Министр иностранных дел" in row
    assert "10:00–10:15" in row
    own_sessions = programme.locator("article.session.highlight h3")
    assert own_sessions.count() == 1
    assert "Тематическая сессия высокого уровня" in own_sessions.first.inner_text()
    # The dinner is for heads of delegation: the Minister's delegation sees it.
    assert programme.get_by_text("Рабочий ужин").count() == 1
    background = highlighted.first.locator("td").first.evaluate(
        "cell => getComputedStyle(cell).backgroundColor"
    )
    assert background == "rgb(255, 243, 191)"
    screenshot("ru")
