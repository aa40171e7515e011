import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from delegations.models import Passport, SelfServiceChange
from delegations.selectors import DELEGATES_PER_PAGE
from delegations.services import issue_itinerary_link, revoke_link
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    FlightLegFactory,
    HotelStayFactory,
)

pytestmark = pytest.mark.django_db


def page_of(client, link, **params):
    return client.get(f"/l/{link.token}/", params)


def test_participant_page_shows_flights_in_local_time_with_zone(client):
    flight = FlightLegFactory()  # NQZ 09:10 Asia/Almaty → ASB 10:55 Asia/Ashgabat
    # Each clock named for people after the airport's city, never its IANA key.
    link = issue_itinerary_link(flight.delegate)
    html = page_of(client, link, lang="en").content.decode()
    assert "12 June 2017, 09:10" in html
    assert "NQZ · Astana time (UTC+6)" in html
    assert "12 June 2017, 10:55" in html
    assert "ASB · Ashgabat time (UTC+5)" in html
    assert "Asia/" not in html


def test_participant_page_in_russian_shows_cyrillic(client):
    flight = FlightLegFactory(delegate__name_cyrillic="Нурлан Садыков")
    link = issue_itinerary_link(flight.delegate)
    response = page_of(client, link, lang="ru")
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Нурлан Садыков" in html
    assert "12 июня 2017 г., 09:10" in html
    assert "Рейсы" in html


def test_participant_page_defaults_to_preferred_language(client):
    delegate = DelegateFactory(preferred_language="ru")
    html = page_of(client, issue_itinerary_link(delegate)).content.decode()
    assert '<html lang="ru">' in html


def test_participant_page_is_private_and_noindex(client):
    response = page_of(client, issue_itinerary_link(DelegateFactory()))
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert 'content="noindex, nofollow"' in response.content.decode()


def test_wrong_revoked_and_expired_links_look_identical(client):
    revoked = revoke_link(issue_itinerary_link(DelegateFactory()))
    expired = issue_itinerary_link(DelegateFactory())
    expired.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    expired.save()
    unknown = client.get("/l/" + "x" * 43 + "/")
    responses = [unknown, page_of(client, revoked), page_of(client, expired)]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert len({r.content for r in responses}) == 1


def test_focal_point_page_shows_every_delegate_of_the_delegation(client):
    delegation = DelegationFactory()
    names = [
        DelegateFactory(delegation=delegation, name_latin=f"Person {i}").name_latin
        for i in range(3)
    ]
    stranger = DelegateFactory(name_latin="Somebody Else")
    html = page_of(client, issue_itinerary_link(delegation), lang="en").content.decode()
    assert all(name in html for name in names)
    assert stranger.name_latin not in html


def test_participant_page_query_count_constant_for_1_or_20_legs(client):
    one = FlightLegFactory().delegate
    many = DelegateFactory()
    start = datetime.datetime(2017, 6, 1, tzinfo=datetime.UTC)
    for i in range(20):
        FlightLegFactory(
            delegate=many,
            departs_at=start + datetime.timedelta(days=i),
            arrives_at=start + datetime.timedelta(days=i, hours=2),
        )
        HotelStayFactory(
            delegate=many,
            check_in=datetime.date(2017, 6, 1) + datetime.timedelta(days=i),
            check_out=datetime.date(2017, 6, 2) + datetime.timedelta(days=i),
        )
    counts = []
    for delegate in (one, many):
        link = issue_itinerary_link(delegate)
        with CaptureQueriesContext(connection) as queries:
            assert page_of(client, link).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_calendar_has_flights_in_airport_time_zones(client):
    flight = FlightLegFactory()
    link = issue_itinerary_link(flight.delegate)
    response = client.get(f"/l/{link.token}/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == f"Air Astana {flight.flight_number} NQZ→ASB"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (str(start.tzinfo), start.hour, start.minute) == ("Asia/Almaty", 9, 10)
    assert (str(end.tzinfo), end.hour, end.minute) == ("Asia/Ashgabat", 10, 55)
    zones = {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")}
    assert zones == {"Asia/Almaty", "Asia/Ashgabat"}


def test_participant_page_shows_a_cancelled_flight_marked(client):
    kept = FlightLegFactory(flight_number="KC127")
    FlightLegFactory(delegate=kept.delegate, flight_number="KC999", status="cancelled")
    html = page_of(client, issue_itinerary_link(kept.delegate), lang="en")
    html = html.content.decode()
    assert "KC999" in html
    assert '<tr class="muted">' in html
    assert '<span class="badge bad">cancelled</span>' in html


def test_calendar_leaves_cancelled_flights_out(client):
    kept = FlightLegFactory(flight_number="KC127")
    FlightLegFactory(delegate=kept.delegate, flight_number="KC999", status="cancelled")
    response = client.get(
        f"/l/{issue_itinerary_link(kept.delegate).token}/calendar.ics"
    )
    calendar = Calendar.from_ical(response.content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == [
        "Air Astana KC127 NQZ→ASB"
    ]


def details_form(**overrides):
    data = {
        "phone": "+993 12 48 83 71",
        "preferred_language": "ru",
        "dietary_needs": "Halal",
        "accessibility_needs": "",
        "passport_number": "",
        "passport_nationality": "",
        "passport_date_of_birth": "",
        "passport_issued_on": "",
        "passport_expires_on": "",
    }
    return {**data, **overrides}


def test_self_service_saves_and_records_changes(client):
    delegate = DelegateFactory(phone="+99312345678")
    link = issue_itinerary_link(delegate)
    response = client.post(
        f"/l/{link.token}/details/?lang=en",
        details_form(
            passport_number="N7654321",
            passport_nationality="kz",
            passport_expires_on="2030-01-01",
        ),
    )
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert (delegate.phone, delegate.dietary_needs) == ("+99312488371", "Halal")
    assert Passport.objects.get(delegate=delegate).nationality == "KZ"
    assert set(
        SelfServiceChange.objects.filter(delegate=delegate).values_list(
            "field", "changed_by"
        )
    ) == {
        ("phone", "the delegate"),
        ("dietary_needs", "the delegate"),
        ("passport.number", "the delegate"),
        ("passport.nationality", "the delegate"),
        ("passport.expires_on", "the delegate"),
    }


def test_self_service_bad_phone_refused_and_input_kept(client):
    delegate = DelegateFactory(phone="+99312345678")
    link = issue_itinerary_link(delegate)
    response = client.post(
        f"/l/{link.token}/details/?lang=en",
        details_form(phone="12345", dietary_needs="Vegetarian, no nuts"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the phone number in international form" in html
    assert 'value="Vegetarian, no nuts"' in html
    delegate.refresh_from_db()
    assert delegate.phone == "+99312345678"
    assert SelfServiceChange.objects.count() == 0


def test_self_service_passport_expiring_before_meeting_refused(client):
    delegate = DelegateFactory()
    link = issue_itinerary_link(delegate)
    response = client.post(
        f"/l/{link.token}/details/?lang=en",
        details_form(
            passport_number="N7654321",
            passport_nationality="KZ",
            passport_expires_on="2017-06-01",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This passport expires on 2017-06-01, before the meeting ends" in html
    assert 'value="N7654321"' in html
    assert not Passport.objects.filter(delegate=delegate).exists()


def test_self_service_error_message_in_russian(client):
    link = issue_itinerary_link(DelegateFactory())
    response = client.post(
        f"/l/{link.token}/details/?lang=ru", details_form(phone="12345")
    )
    assert "Укажите номер телефона в международном формате" in response.content.decode()


def test_focal_point_edits_a_delegate_of_own_delegation_only(client):
    delegation = DelegationFactory(name_en="Kazakhstan")
    own = DelegateFactory(delegation=delegation)
    other = DelegateFactory()
    link = issue_itinerary_link(delegation)
    ok = client.post(
        f"/l/{link.token}/details/?lang=en&delegate={own.pk}",
        details_form(dietary_needs="Kosher"),
    )
    refused = client.post(
        f"/l/{link.token}/details/?lang=en&delegate={other.pk}",
        details_form(dietary_needs="Kosher"),
    )
    assert (ok.status_code, refused.status_code) == (302, 404)
    change = SelfServiceChange.objects.get(field="dietary_needs")
    assert (change.delegate, change.changed_by) == (
        own,
        "focal point of Kazakhstan",
    )


def test_self_service_passport_details_without_number_refused_and_kept(client):
    delegate = DelegateFactory()
    link = issue_itinerary_link(delegate)
    response = client.post(
        f"/l/{link.token}/details/?lang=en",
        details_form(
            passport_number="   ",
            passport_nationality="KZ",
            passport_expires_on="2030-01-01",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give the passport number with its details." in html
    assert 'value="KZ"' in html
    assert not Passport.objects.filter(delegate=delegate).exists()


def test_self_service_impossible_passport_dates_refused(client):
    link = issue_itinerary_link(DelegateFactory())
    response = client.post(
        f"/l/{link.token}/details/?lang=en",
        details_form(
            passport_number="N1",
            passport_nationality="KZ",
            passport_date_of_birth="0001-01-01",
            passport_expires_on="9999-12-31",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give a date of birth in the past." in html
    assert "A passport is valid for at most 15 years" in html


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("phone", ["12345", "+993 1"])
def test_self_service_phone_error_says_the_form_once(client, lang, phone):
    link = issue_itinerary_link(DelegateFactory())
    response = client.post(
        f"/l/{link.token}/details/?lang={lang}", details_form(phone=phone)
    )
    html = response.content.decode()
    assert response.status_code == 400
    # The example is in the error (normalise_phone's, or the help moved into
    # it), and the help text no longer repeats it under the field.
    assert html.count("+993 12 345678") == 1
    assert "hint_id_phone" not in html


def large_delegation(size: int):
    delegation = DelegationFactory(country_code="KZ")
    delegates = [
        DelegateFactory(
            delegation=delegation,
            name_latin=f"Member {i:03d}",
            name_cyrillic=f"Участник {i:03d}",
            sort_order=i,
        )
        for i in range(size)
    ]
    return delegation, delegates


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="card delegate-card" id="delegate-(\d+)"', html)


def test_focal_point_page_shows_a_large_delegation_a_page_at_a_time(client):
    size = DELEGATES_PER_PAGE * 2 + 5
    delegation, delegates = large_delegation(size)
    link = issue_itinerary_link(delegation)
    first = page_of(client, link, lang="en").content.decode()
    assert cards(first) == [str(d.pk) for d in delegates[:DELEGATES_PER_PAGE]]
    assert f"Delegates 1 to {DELEGATES_PER_PAGE} of {size}" in first
    assert '<span class="current" aria-current="page">' in first
    assert "?lang=en&amp;page=2#delegates" in first and 'rel="next"' in first
    assert 'rel="prev"' not in first
    last = page_of(client, link, lang="en", page=3).content.decode()
    assert cards(last) == [str(d.pk) for d in delegates[2 * DELEGATES_PER_PAGE :]]
    assert f"Delegates {2 * DELEGATES_PER_PAGE + 1} to {size} of {size}" in last
    assert 'rel="next"' not in last and "?lang=en&amp;page=2#delegates" in last
    # The language switch keeps the page; Russian says it in Russian.
    assert 'href="?lang=ru&amp;page=3"' in last
    russian = page_of(client, link, lang="ru", page=3).content.decode()
    assert f"Делегаты {2 * DELEGATES_PER_PAGE + 1}–{size} из {size}" in russian
    assert "Участник 054" in russian


@pytest.mark.parametrize("asked", ["99", "0", "-1", "two", ""])
def test_a_page_out_of_range_or_not_a_number_shows_the_nearest(client, asked):
    delegation, delegates = large_delegation(DELEGATES_PER_PAGE + 1)
    response = page_of(client, issue_itinerary_link(delegation), page=asked)
    assert response.status_code == 200
    shown = cards(response.content.decode())
    expected = (
        delegates[DELEGATES_PER_PAGE:]
        if asked == "99"
        else delegates[:DELEGATES_PER_PAGE]
    )
    assert shown == [str(d.pk) for d in expected]


def test_a_small_delegation_and_a_delegate_have_no_pager(client):
    delegation, delegates = large_delegation(3)
    for link in (issue_itinerary_link(delegation), issue_itinerary_link(delegates[0])):
        html = page_of(client, link).content.decode()
        assert 'class="pager' not in html


def test_focal_point_page_queries_are_the_same_on_every_page(client):
    delegation, _ = large_delegation(DELEGATES_PER_PAGE * 2 + 1)
    link = issue_itinerary_link(delegation)
    page_of(client, link)  # the first request of the test warms what is per process
    counts = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            assert page_of(client, link, page=page).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


def test_focal_point_goes_back_to_the_page_of_the_delegate_it_corrected(client):
    delegation, delegates = large_delegation(DELEGATES_PER_PAGE + 3)
    link = issue_itinerary_link(delegation)
    target = delegates[DELEGATES_PER_PAGE + 1]
    response = client.post(
        f"/l/{link.token}/details/?lang=ru&delegate={target.pk}", details_form()
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/l/{link.token}/?lang=ru&page=2#delegate-{target.pk}"
    )
    own = issue_itinerary_link(delegates[0])
    response = client.post(f"/l/{own.token}/details/?lang=en", details_form())
    assert response["Location"] == f"/l/{own.token}/?lang=en"
