"""The link pages kept in the cache (delegations.page_cache): never stale.

Each test opens a page (so it is cached), changes an input the way the portal
does (a service, or a row saved without one), and opens the page again.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.services.nominations import submit_request
from agenda.services import save_session
from declaration.models import Circulation, Comment
from delegations import page_cache
from delegations.models import AccessLink
from delegations.services import (
    issue_itinerary_link,
    revoke_link,
    save_delegate,
    save_flight_leg,
    save_hotel_stay,
    update_own_details,
)
from dialogue.services import save_meeting
from tests.agenda.factories import SessionFactory
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    FlightLegFactory,
    HotelStayFactory,
)

pytestmark = pytest.mark.django_db


def page(client, link, **params):
    response = client.get(f"/l/{link.token}/", {"lang": "en", **params})
    assert response.status_code == 200
    return response.content.decode()


def hit_queries(client, link, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, link, **params)
    return len(queries)


@pytest.fixture
def flight():
    return FlightLegFactory(
        flight_number="KC 105", delegate__delegation__country_code="KZ"
    )


@pytest.fixture
def link(flight):
    return issue_itinerary_link(flight.delegate)


def test_a_cached_page_costs_the_link_query_alone(client, link):
    first = page(client, link)
    assert hit_queries(client, link) == 1  # the link, checked every time
    assert page(client, link) == first


def test_a_miss_renders_the_page_and_stores_it(client, link):
    cache.clear()
    miss = hit_queries(client, link)
    assert miss > 1
    assert hit_queries(client, link) == 1


def test_a_flight_saved_through_its_service_shows_at_once(client, link, flight):
    assert "KC 105" in page(client, link)
    flight.flight_number = "KC 777"
    save_flight_leg(flight)
    html = page(client, link)
    assert "KC 777" in html
    assert "KC 105" not in html


def test_a_hotel_stay_saved_through_its_service_shows_at_once(client, link, flight):
    stay = HotelStayFactory(delegate=flight.delegate, hotel_en="Sofitel Oguzkent")
    assert "Sofitel Oguzkent" in page(client, link)
    stay.hotel_en = "Archabil Hotel"
    save_hotel_stay(stay)
    assert "Archabil Hotel" in page(client, link)


def test_the_delegates_details_saved_through_the_service_show_at_once(
    client, link, flight
):
    delegate = flight.delegate
    assert "Deputy Minister" not in page(client, link)
    delegate.position_en = "Deputy Minister"
    save_delegate(delegate)
    assert "Deputy Minister" in page(client, link)
    # Their own edit (self-service) changes the page's language choice.
    update_own_details(delegate, data={"preferred_language": "ru"}, changed_by="x")
    html = client.get(f"/l/{link.token}/").content.decode()
    assert '<html lang="ru">' in html


def test_a_session_saved_through_its_service_shows_at_once(client, link, flight):
    session = SessionFactory(
        meeting=flight.delegate.delegation.meeting, title_en="Border management"
    )
    assert "Border management" in page(client, link)
    session.title_en = "Water and energy"
    save_session(session)
    html = page(client, link)
    assert "Water and energy" in html
    assert "Border management" not in html


def test_a_row_saved_without_a_service_shows_at_once(client, link, flight):
    session = SessionFactory(meeting=flight.delegate.delegation.meeting)
    page(client, link)
    session.title_en = "Saved in a shell"
    session.save()  # no inputs_changed: post_save tells the pages
    assert "Saved in a shell" in page(client, link)
    session.delete()
    assert "Saved in a shell" not in page(client, link)


def test_the_meeting_saved_through_its_service_shows_at_once(client, link, flight):
    meeting = flight.delegate.delegation.meeting
    page(client, link)
    meeting.venue_en = "Arkadag Congress Hall"
    save_meeting(meeting)
    assert "Arkadag Congress Hall" in page(client, link)


def test_the_focal_points_nomination_shows_at_once(client, flight):
    delegation = flight.delegate.delegation
    focal = issue_itinerary_link(delegation)
    assert "Zarina Nazarova" not in page(client, focal)
    submit_request(
        delegation,
        kind="add",
        data={
            "honorific": "ms",
            "name_latin": "Zarina Nazarova",
            "name_cyrillic": "Зарина Назарова",
            "position_en": "Adviser",
            "position_ru": "Советник",
            "role": "adviser",
            "email": "z.nazarova@mfa.example",
            "phone": "",
            "preferred_language": "ru",
            "dietary_needs": "",
            "accessibility_needs": "",
        },
    )
    assert "Zarina Nazarova" in page(client, focal)


def test_another_delegations_change_keeps_the_page_cached(client, link):
    page(client, link)
    other = DelegateFactory(delegation__country_code="KG")
    other.position_en = "Ambassador"
    save_delegate(other)
    assert hit_queries(client, link) == 1


def test_a_change_rolled_back_is_told_again_by_the_next_one(client, link, flight):
    page(client, link)
    with transaction.atomic():
        try:
            with transaction.atomic():
                flight.flight_number = "KC 900"
                save_flight_leg(flight)
                raise RuntimeError
        except RuntimeError:
            pass
        flight.refresh_from_db()
        flight.flight_number = "KC 901"
        save_flight_leg(flight)
    assert "KC 901" in page(client, link)


def test_a_revoked_link_stops_at_once_though_its_page_is_cached(client, link):
    page(client, link)
    revoke_link(link)
    assert client.get(f"/l/{link.token}/", {"lang": "en"}).status_code == 404


def test_an_expired_link_stops_at_once_though_its_page_is_cached(client, link):
    page(client, link)
    AccessLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(f"/l/{link.token}/", {"lang": "en"}).status_code == 404


def test_a_new_link_never_gets_the_page_of_the_one_it_replaced(client, link):
    page(client, link)
    replaced = issue_itinerary_link(link.delegate, reissue=True)
    assert client.get(f"/l/{link.token}/").status_code == 404
    assert hit_queries(client, replaced) > 1  # its own page, rendered


def test_each_language_and_page_number_has_its_own_page(client, link):
    assert '<html lang="en">' in page(client, link)
    assert '<html lang="ru">' in page(client, link, lang="ru")
    page(client, link, page="2")
    assert hit_queries(client, link, page="2") == 1
    assert hit_queries(client, link, page="3") > 1


def test_a_request_with_another_parameter_is_rendered_afresh(client, link):
    page(client, link, utm_source="mail")
    assert hit_queries(client, link, utm_source="mail") > 1
    assert hit_queries(client, link, page="x") > 1


def test_the_last_opening_is_written_once_within_the_window(client, link):
    page(client, link)
    first = AccessLink.objects.get(pk=link.pk).last_opened_at
    assert first is not None  # the board counts it opened
    with CaptureQueriesContext(connection) as queries:
        page(client, link)
        page(client, link)
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]
    assert AccessLink.objects.get(pk=link.pk).last_opened_at == first
    # Past the window, the next opening is written again.
    AccessLink.objects.filter(pk=link.pk).update(
        last_opened_at=first - datetime.timedelta(minutes=6)
    )
    page(client, link)
    assert AccessLink.objects.get(pk=link.pk).last_opened_at > first


def csrf_field(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_cached_focal_page_carries_a_working_csrf_token(flight):
    delegation = flight.delegate.delegation
    declaration = DeclarationFactory(meeting=delegation.meeting)
    version = version_with_text(declaration, 1, status="circulated")
    Circulation.objects.create(
        version=version, delegation=delegation, email="focal@mfa.example"
    )
    focal = issue_itinerary_link(delegation)
    Client().get(f"/l/{focal.token}/?lang=en")  # another visitor caches it
    visitor = Client(enforce_csrf_checks=True)
    with CaptureQueriesContext(connection) as queries:
        html = visitor.get(f"/l/{focal.token}/?lang=en").content.decode()
    assert len(queries) == 1  # served from the cache
    token = csrf_field(html)
    assert token != page_cache.CSRF_PLACEHOLDER
    assert page_cache.CSRF_PLACEHOLDER not in html
    response = visitor.post(
        f"/l/{focal.token}/declaration/{version.pk}/comment/?lang=en",
        {
            "csrfmiddlewaretoken": token,
            "paragraph": version.paragraphs.get(position=1).pk,
            "kind": "proposal",
            "language": "en",
            "text": "Add a reference to border management.",
        },
    )
    assert response.status_code == 302
    assert Comment.objects.filter(delegation=delegation).count() == 1
    # The comment shows on the focal point's next page (post_save told it).
    assert (
        "Add a reference to border management."
        in visitor.get(f"/l/{focal.token}/?lang=en").content.decode()
    )


def test_a_page_with_a_flash_message_is_never_cached(client, link):
    page(client, link)
    response = client.post(
        f"/l/{link.token}/details/?lang=en",
        {"phone": "+7 701 555 1234", "preferred_language": "en"},
        follow=True,
    )
    thanks = "Thank you: your details are saved."
    assert thanks in response.content.decode()
    # The message was shown once; neither a cached page nor the next render has it.
    assert thanks not in page(client, link)
    assert thanks not in Client().get(f"/l/{link.token}/?lang=en").content.decode()


def test_a_change_in_another_process_reaches_this_one(link, flight, settings):
    """The versions live in the cache, not in this process: a bump written by
    a worker is what the web process reads next (the same cache)."""
    client = Client()
    page(client, link)
    key = page_cache._version_key(("d", flight.delegate.delegation_id))
    cache.set(key, "written-by-another-process")
    assert hit_queries(client, link) > 1


def test_with_page_cache_seconds_zero_no_page_is_kept_or_read(client, link, settings):
    page(client, link)
    settings.PAGE_CACHE_SECONDS = 0
    assert hit_queries(client, link) > 1
    assert hit_queries(client, link) > 1


def test_a_page_with_a_comment_form_is_kept_no_longer_than_its_deadline(flight):
    from declaration.panels import declaration_panel
    from delegations.selectors import active_link

    delegation = flight.delegate.delegation
    declaration = DeclarationFactory(meeting=delegation.meeting)
    deadline = timezone.now() + datetime.timedelta(minutes=3)
    version_with_text(declaration, 1, status="circulated", comment_deadline=deadline)
    focal = active_link(issue_itinerary_link(delegation).token)
    panel = declaration_panel(focal, [], "en")
    assert panel["fresh_until"] == deadline.timestamp()


def test_the_comment_forms_page_is_never_kept_nor_served_kept(flight):
    """It is the participant page's view with a refused draft from the session:
    its own page, and never the link's kept page."""
    delegation = flight.delegate.delegation
    declaration = DeclarationFactory(meeting=delegation.meeting)
    version = version_with_text(declaration, 1, status="circulated")
    focal = issue_itinerary_link(delegation)
    client = Client()
    comment_page = f"/l/{focal.token}/declaration/{version.pk}/comment/?lang=en"
    client.get(f"/l/{focal.token}/?lang=en")  # the link's page, kept
    client.post(comment_page, {"kind": "proposal", "language": "en", "text": ""})
    with CaptureQueriesContext(connection) as queries:
        shown = client.get(comment_page).content.decode()
    assert len(queries) > 1  # rendered, with the draft and its errors
    assert 'aria-invalid="true"' in shown or "errorlist" in shown
    kept = client.get(f"/l/{focal.token}/?lang=en").content.decode()
    assert "errorlist" not in kept


def test_each_page_of_a_large_delegation_is_kept_on_its_own(client):
    from delegations.selectors import DELEGATES_PER_PAGE

    delegation = DelegationFactory(country_code="UZ")
    people = [
        DelegateFactory(delegation=delegation, name_latin=f"Person Number{i:02d}")
        for i in range(DELEGATES_PER_PAGE + 1)
    ]
    focal = issue_itinerary_link(delegation)
    first, second = page(client, focal), page(client, focal, page="2")
    last = people[-1].name_latin
    assert (last in first, last in second) == (False, True)
    assert hit_queries(client, focal, page="2") == 1
    assert last in page(client, focal, page="2")
    assert last not in page(client, focal)
