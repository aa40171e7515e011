"""Travel requests and flight changes through the links, answered by the travel
desk in the admin (accreditation.services.travel_requests, views, admin)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from accreditation.models import FlightChangeRequest, TravelRequest
from accreditation.services.travel_requests import (
    accept_change_request,
    book_travel_request,
    compose_change_email,
    compose_travel_email,
    decline_change_request,
    decline_travel_request,
    resolve_departure,
    submit_change_request,
    submit_travel_request,
)
from delegations.models import FlightLeg
from delegations.services import issue_itinerary_link
from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.outbox.models import Email
from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# The factories' meeting is on 13 June 2017 in Ashgabat (ASB).
TRIP = {
    "departure": "Dushanbe",
    "outbound_date": datetime.date(2017, 6, 12),
    "return_date": datetime.date(2017, 6, 14),
    "notes": "Morning flights, please.",
}


@pytest.fixture
def delegation(db):
    return DelegationFactory(
        country_code="TJ", name_en="Tajikistan", language="ru", funded_quota=2
    )


@pytest.fixture
def minister(delegation):
    return DelegateFactory(
        delegation=delegation, funded=True, name_latin="Sirojiddin Muhriddin"
    )


@pytest.fixture
def adviser(delegation):
    return DelegateFactory(
        delegation=delegation,
        funded=False,
        role="adviser",
        name_latin="Nodir Karimov",
        name_cyrillic="Нодир Каримов",
    )


@pytest.fixture
def desk(db):
    user = get_user_model().objects.create_user("desk", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


def legs_for(delegate, **outbound):
    """An outbound Dushanbe → Ashgabat flight and the return (unsaved)."""
    return [
        FlightLeg(
            carrier="Somon Air",
            flight_number="SZ 231",
            from_airport="dyu",
            to_airport="ASB",
            departs_at=datetime.datetime(2017, 6, 12, 4, 0, tzinfo=UTC),
            arrives_at=datetime.datetime(2017, 6, 12, 5, 30, tzinfo=UTC),
            status="ticketed",
            **outbound,
        ),
        FlightLeg(
            carrier="Somon Air",
            flight_number="SZ 232",
            from_airport="ASB",
            to_airport="DYU",
            departs_at=datetime.datetime(2017, 6, 14, 7, 0, tzinfo=UTC),
            arrives_at=datetime.datetime(2017, 6, 14, 8, 30, tzinfo=UTC),
        ),
    ]


# The city of departure and the dates ------------------------------------------


def test_a_city_or_code_resolves_to_its_airport():
    assert resolve_departure("Dushanbe") == "DYU"
    assert resolve_departure("  душанбе ") == "DYU"
    assert resolve_departure("tas") == "TAS"
    with pytest.raises(ValidationError) as error:
        resolve_departure("Moscow")
    (message,) = error.value.message_dict["departure"]
    assert "several airports" in message and "SVO" in message and "DME" in message
    with pytest.raises(ValidationError) as error:
        resolve_departure("Atlantis")
    assert "City of departure" in error.value.message_dict["departure"][0]


def test_dates_outside_the_meetings_window_are_refused_by_field(delegation, minister):
    with pytest.raises(ValidationError) as error:
        submit_travel_request(
            delegation,
            delegate=minister,
            **{
                **TRIP,
                "outbound_date": datetime.date(2018, 6, 12),
                "return_date": datetime.date(2017, 6, 1),
            },
        )
    errors = error.value.message_dict
    assert set(errors) == {"outbound_date", "return_date"}
    assert "2017-05-30" in errors["outbound_date"][0]  # the earliest date offered
    with pytest.raises(ValidationError) as error:
        submit_travel_request(
            delegation,
            delegate=minister,
            **{**TRIP, "return_date": datetime.date(2017, 6, 11)},
        )
    assert "return_date" in error.value.message_dict
    assert not TravelRequest.objects.exists()


# Travel requests ---------------------------------------------------------------


def test_only_a_funded_delegate_gets_a_travel_request(delegation, adviser):
    with pytest.raises(ValidationError) as error:
        submit_travel_request(delegation, delegate=adviser, **TRIP)
    assert "Nodir Karimov is not funded" in error.value.messages[0]
    assert not TravelRequest.objects.exists()


def test_one_open_travel_request_per_delegate(delegation, minister, desk):
    first = submit_travel_request(delegation, delegate=minister, **TRIP)
    assert (first.departure_city, first.departure_airport, first.status) == (
        "Dushanbe",
        "DYU",
        "pending",
    )
    with pytest.raises(ValidationError, match="already waiting"):
        submit_travel_request(delegation, delegate=minister, **TRIP)
    # The database holds it too, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        TravelRequest.objects.create(
            delegate=minister,
            departure_city="Dushanbe",
            departure_airport="DYU",
            outbound_date=TRIP["outbound_date"],
            return_date=TRIP["return_date"],
        )
    # Once declined, a new one may be sent; once booked, changes are asked for.
    decline_travel_request(first, reviewer=desk, reason="Dates unclear.")
    second = submit_travel_request(delegation, delegate=minister, **TRIP)
    book_travel_request(second, legs=legs_for(minister), reviewer=desk)
    with pytest.raises(ValidationError, match="already has flights"):
        submit_travel_request(delegation, delegate=minister, **TRIP)
    minister.flights.update(status="cancelled")  # all cancelled: ask again
    assert submit_travel_request(delegation, delegate=minister, **TRIP).pk


def test_a_delegate_of_another_delegation_is_refused(delegation):
    stranger = DelegateFactory(
        delegation=DelegationFactory(meeting=delegation.meeting, country_code="UZ"),
        funded=True,
    )
    with pytest.raises(ValidationError, match="not on your delegation"):
        submit_travel_request(delegation, delegate=stranger, **TRIP)


def test_booking_enters_requested_legs_through_the_flight_rules(
    delegation, minister, desk, django_capture_on_commit_callbacks
):
    request = submit_travel_request(delegation, delegate=minister, **TRIP)
    with django_capture_on_commit_callbacks(execute=True):
        book_travel_request(request, legs=legs_for(minister), reviewer=desk)
    request.refresh_from_db()
    assert (request.status, request.reviewed_by) == ("booked", desk)
    legs = list(minister.flights.order_by("departs_at"))
    assert [(leg.from_airport, leg.to_airport, leg.status) for leg in legs] == [
        ("DYU", "ASB", "requested"),  # upper-cased and "requested", as the rules say
        ("ASB", "DYU", "requested"),
    ]
    assert list(request.flights.order_by("departs_at")) == legs
    assert legs[0].history.count() == 1
    email = Email.objects.get(kind="travel_request_decision", object_id=request.pk)
    assert (email.recipient, email.language) == (delegation.focal_point_email, "ru")
    composed = compose_travel_email(request.pk)
    assert "SZ 231" in composed.body and "SZ 232" in composed.body
    assert "09:00" in composed.body  # 04:00 UTC, on Dushanbe's clock
    assert "Душанбе" in composed.body  # the airports named in Russian
    assert [h.status for h in request.history.order_by("history_date")] == [
        "pending",
        "booked",
    ]


def test_a_leg_the_flight_rules_refuse_books_nothing(delegation, minister, desk):
    request = submit_travel_request(delegation, delegate=minister, **TRIP)
    bad = legs_for(minister)
    bad[1].departs_at = datetime.datetime(2019, 6, 14, 7, 0, tzinfo=UTC)
    bad[1].arrives_at = datetime.datetime(2019, 6, 14, 8, 30, tzinfo=UTC)
    with pytest.raises(ValidationError) as error:
        book_travel_request(request, legs=bad, reviewer=desk)
    assert (
        "more than a year from the meeting" in error.value.message_dict["departs_at"][0]
    )
    request.refresh_from_db()
    assert request.status == "pending"
    assert not FlightLeg.objects.exists()
    with pytest.raises(ValidationError):
        book_travel_request(request, legs=[], reviewer=desk)


def test_a_declined_request_keeps_its_reason_and_tells_the_focal_point(
    delegation, minister, desk
):
    request = submit_travel_request(delegation, delegate=minister, **TRIP)
    with pytest.raises(ValidationError) as error:
        decline_travel_request(request, reviewer=desk, reason="  ")
    assert "reason" in error.value.message_dict
    decline_travel_request(request, reviewer=desk, reason="No seats on 12 June.")
    request.refresh_from_db()
    assert (request.status, request.reason) == ("declined", "No seats on 12 June.")
    assert Email.objects.filter(
        kind="travel_request_decision", object_id=request.pk, language="ru"
    ).exists()
    composed = compose_travel_email(request.pk)
    assert "No seats on 12 June." in composed.body
    assert "отклон" in composed.subject.lower()
    with pytest.raises(ValidationError, match="already been answered"):
        book_travel_request(request, legs=legs_for(minister), reviewer=desk)


# Flight changes ---------------------------------------------------------------


def test_a_delegate_asks_to_change_only_their_own_booked_flights(
    delegation, minister, adviser
):
    own = FlightLegFactory(delegate=minister, status="booked")
    others = FlightLegFactory(delegate=adviser, status="booked")
    link = issue_itinerary_link(minister)
    with pytest.raises(ValidationError, match="not on your delegation"):
        submit_change_request(others, link=link, change="A day later.")
    change = submit_change_request(
        own, link=link, change="A day later.", new_date=datetime.date(2017, 6, 13)
    )
    assert (change.requested_by, change.status, change.flight) == (
        "delegate",
        "pending",
        own,
    )
    with pytest.raises(ValidationError, match="already waiting"):
        submit_change_request(own, link=link, change="Another.")
    requested = FlightLegFactory(delegate=minister, status="requested")
    with pytest.raises(ValidationError, match="Only a booked flight"):
        submit_change_request(requested, link=link, change="A day later.")
    with pytest.raises(ValidationError) as error:
        submit_change_request(
            FlightLegFactory(delegate=minister, status="ticketed"),
            link=link,
            change=" ",
            new_date=datetime.date(2018, 1, 1),
        )
    assert set(error.value.message_dict) == {"change", "new_date"}
    assert FlightChangeRequest.objects.count() == 1


def test_a_focal_point_asks_for_its_delegations_flights_only(delegation, adviser):
    link = issue_itinerary_link(delegation)
    own = FlightLegFactory(delegate=adviser, status="ticketed")
    change = submit_change_request(own, link=link, change="From Khujand instead.")
    assert change.requested_by == "focal_point"
    stranger = FlightLegFactory(
        delegate=DelegateFactory(delegation=DelegationFactory()), status="booked"
    )
    with pytest.raises(ValidationError, match="not on your delegation"):
        submit_change_request(stranger, link=link, change="Anything.")


def test_an_accepted_change_puts_the_flight_back_to_requested(
    delegation, minister, desk, django_capture_on_commit_callbacks
):
    flight = FlightLegFactory(delegate=minister, status="ticketed")
    change = submit_change_request(
        flight, link=issue_itinerary_link(minister), change="A day later."
    )
    with django_capture_on_commit_callbacks(execute=True):
        accept_change_request(change, reviewer=desk)
    flight.refresh_from_db()
    change.refresh_from_db()
    assert (flight.status, change.status, change.reviewed_by) == (
        "requested",
        "accepted",
        desk,
    )
    assert flight.history.first().status == "requested"
    email = Email.objects.get(kind="flight_change_decision", object_id=change.pk)
    assert email.language == "ru"
    assert "A day later." in compose_change_email(change.pk).body
    with pytest.raises(ValidationError, match="already been answered"):
        decline_change_request(change, reviewer=desk, reason="No.")


def test_a_declined_change_keeps_the_flight_and_the_reason(delegation, minister, desk):
    flight = FlightLegFactory(delegate=minister, status="booked")
    change = submit_change_request(
        flight, link=issue_itinerary_link(delegation), change="A day later."
    )
    with pytest.raises(ValidationError):
        decline_change_request(change, reviewer=desk, reason="")
    decline_change_request(change, reviewer=desk, reason="The fare is not refundable.")
    flight.refresh_from_db()
    assert flight.status == "booked"
    body = compose_change_email(change.pk).body
    assert "The fare is not refundable." in body


# Through the pages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "link_text", "label", "sent"),
    [
        ("en", "Request travel", "City of departure", "Waiting for the travel desk"),
        (
            "ru",
            "Запросить поездку",
            "Город вылета",
            "ожидает ответа службы бронирования",
        ),
    ],
)
def test_the_focal_point_requests_travel_through_its_page(
    delegation, minister, lang, link_text, label, sent
):
    token = issue_itinerary_link(delegation).token
    client = Client()
    page = client.get(f"/l/{token}/?lang={lang}").content.decode()
    assert link_text in page
    url = f"/l/{token}/travel/{minister.pk}/?lang={lang}"
    form = client.get(url)
    assert form.status_code == 200 and label in form.content.decode()
    window = "30 мая 2017" if lang == "ru" else "30 May 2017"
    assert window in form.content.decode()  # the earliest outbound date

    bad = client.post(url, {**TRIP, "departure": "Atlantis"})
    assert bad.status_code == 400
    assert "Atlantis" in bad.content.decode()
    assert not TravelRequest.objects.exists()

    done = client.post(url, TRIP)
    assert done.status_code == 302
    request = TravelRequest.objects.get()
    assert (request.delegate, request.departure_airport) == (minister, "DYU")
    listed = client.get(f"/l/{token}/?lang={lang}").content.decode()
    city = "Душанбе" if lang == "ru" else "Dushanbe"
    assert f"{city}\u00a0(DYU)" in listed  # the airport, named in the language
    assert sent.lower() in listed.lower()


def test_the_page_of_a_delegate_not_funded_says_why(delegation, adviser):
    token = issue_itinerary_link(delegation).token
    client = Client()
    page = client.get(f"/l/{token}/travel/{adviser.pk}/?lang=en").content.decode()
    assert "Nodir Karimov is not funded" in page
    refused = client.post(f"/l/{token}/travel/{adviser.pk}/?lang=en", TRIP)
    assert refused.status_code == 400
    assert not TravelRequest.objects.exists()


def test_a_delegate_asks_for_a_change_through_their_page_in_russian(minister):
    flight = FlightLegFactory(delegate=minister, status="booked")
    token = issue_itinerary_link(minister).token
    client = Client()
    page = client.get(f"/l/{token}/?lang=ru").content.decode()
    assert "Попросить изменить" in page
    assert "Запросить поездку" not in page  # a delegate does not request travel
    url = f"/l/{token}/flights/{flight.pk}/change/?lang=ru"
    form = client.get(url).content.decode()
    assert "Что изменить" in form
    empty = client.post(url, {"change": ""})
    assert empty.status_code == 400
    done = client.post(url, {"change": "На день позже.", "new_date": "2017-06-13"})
    assert done.status_code == 302
    change = FlightChangeRequest.objects.get()
    assert (change.requested_by, change.new_date) == (
        "delegate",
        datetime.date(2017, 6, 13),
    )
    listed = client.get(f"/l/{token}/?lang=ru").content.decode()
    assert "На день позже." in listed


def test_a_delegates_link_cannot_reach_a_colleagues_flight(minister, adviser):
    colleague = FlightLegFactory(delegate=adviser, status="booked")
    token = issue_itinerary_link(minister).token
    response = Client().post(
        f"/l/{token}/flights/{colleague.pk}/change/", {"change": "Later."}
    )
    assert response.status_code == 404
    assert not FlightChangeRequest.objects.exists()


# The travel desk's queues --------------------------------------------------------


def test_the_history_admins_are_read_only():
    from django.contrib import admin

    for model in (TravelRequest, FlightChangeRequest):
        assert isinstance(admin.site._registry[model], ReadOnlyHistoryAdmin)


def test_the_travel_desk_books_from_its_queue(delegation, minister, desk):
    request = submit_travel_request(delegation, delegate=minister, **TRIP)
    client = Client()
    client.force_login(desk)
    queue = client.get("/admin/accreditation/travelrequest/?status__exact=pending")
    assert queue.status_code == 200
    assert "Sirojiddin Muhriddin" in queue.content.decode()
    url = f"/admin/accreditation/travelrequest/{request.pk}/book/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="outbound-from_airport"' in html and 'value="DYU"' in html
    leg = {
        "outbound-carrier": "Somon Air",
        "outbound-flight_number": "SZ 231",
        "outbound-from_airport": "DYU",
        "outbound-to_airport": "ASB",
        "outbound-departs_local": "2017-06-12T09:00",
        "outbound-arrives_local": "2017-06-12T10:30",
        "outbound-currency": "USD",
        "return-from_airport": "ASB",
        "return-to_airport": "DYU",
        "return-currency": "USD",
    }
    # Arrival before departure: the flight rules' message, on the field.
    bad = client.post(url, {**leg, "outbound-arrives_local": "2017-06-12T08:00"})
    assert bad.status_code == 400
    assert "arrives before it departs" in bad.content.decode()
    assert not FlightLeg.objects.exists()
    done = client.post(url, leg)  # one-way: the return left blank
    assert done.status_code == 302
    (flight,) = FlightLeg.objects.all()
    assert (flight.status, flight.departs_at) == (
        "requested",
        datetime.datetime(2017, 6, 12, 4, 0, tzinfo=UTC),  # 09:00 in Dushanbe
    )
    request.refresh_from_db()
    assert request.status == "booked"


def test_the_travel_desk_declines_and_answers_changes(delegation, minister, desk):
    request = submit_travel_request(delegation, delegate=minister, **TRIP)
    client = Client()
    client.force_login(desk)
    url = f"/admin/accreditation/travelrequest/{request.pk}/decline/"
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Not funded this year."}).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.reason) == ("declined", "Not funded this year.")

    flight = FlightLegFactory(delegate=minister, status="booked")
    change = submit_change_request(
        flight, link=issue_itinerary_link(delegation), change="A day later."
    )
    review = f"/admin/accreditation/flightchangerequest/{change.pk}/review/"
    page = client.get(review).content.decode()
    assert "A day later." in page
    assert "09:10" in page  # 03:10 UTC on Astana's clock in 2017
    accepted = client.post(review, {"accept": "1"})
    assert accepted.status_code == 302
    assert accepted["Location"] == f"/admin/delegations/flightleg/{flight.pk}/change/"
    flight.refresh_from_db()
    assert flight.status == "requested"
    listed = client.get("/admin/accreditation/flightchangerequest/?status=accepted")
    assert listed.status_code == 200
    assert flight.flight_number in listed.content.decode()


def test_odd_ids_answer_404(delegation, minister):
    token = issue_itinerary_link(delegation).token
    client = Client()
    for url in (f"/l/{token}/travel/%C2%B2/", f"/l/{token}/flights/%C2%B2/change/"):
        assert client.get(url).status_code == 404


def test_the_panel_reads_in_two_queries(
    delegation, minister, adviser, django_assert_num_queries
):
    from accreditation.panels import travel_panel
    from delegations.selectors import delegates_for_link

    link = issue_itinerary_link(delegation)
    submit_travel_request(delegation, delegate=minister, **TRIP)
    for delegate in (minister, adviser):
        flight = FlightLegFactory(delegate=delegate, status="booked")
        submit_change_request(flight, link=link, change="A day later.")
    delegates = delegates_for_link(link, cancelled_flights=True)
    with django_assert_num_queries(2):
        panel = travel_panel(link, delegates, "ru")
    assert [p["name"] for p in panel["people"]] == [
        minister.name_cyrillic,
        "Нодир Каримов",
    ]
    assert panel["people"][0]["waiting"] and not panel["people"][0]["can_request"]
    assert [c["request"].status for c in panel["changes"]] == ["pending", "pending"]
    assert panel["requests"][0]["from"] == "Душанбе\u00a0(DYU)"


def test_a_delegate_unfunded_since_the_request_is_not_booked(
    delegation, minister, desk
):
    from delegations.services import save_delegate

    request = submit_travel_request(delegation, delegate=minister, **TRIP)
    minister.funded = False
    save_delegate(minister)
    with pytest.raises(ValidationError, match="no longer funded"):
        book_travel_request(request, legs=legs_for(minister), reviewer=desk)
    request.refresh_from_db()
    assert request.status == "pending"
    assert not minister.flights.exists()
