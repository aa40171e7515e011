import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.models import Delegate, FlightLeg, Passport
from delegations.services import issue_itinerary_link, update_own_details
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    FlightLegFactory,
    HotelStayFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(client):
    user = get_user_model().objects.create_user("sec", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(user)
    return user


def travel_clerk(client):
    """Staff who may edit delegates but not see passports."""
    user = get_user_model().objects.create_user("clerk", password=None, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="delegations",
            codename__in=["view_delegate", "change_delegate", "view_flightleg"],
        )
    )
    client.force_login(user)
    return user


def test_delegate_changelist_query_count_constant(client, secretary):
    delegation = DelegationFactory()
    DelegateFactory.create_batch(2, delegation=delegation)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/delegations/delegate/").status_code == 200
    for delegate in DelegateFactory.create_batch(30, delegation=DelegationFactory()):
        FlightLegFactory(delegate=delegate)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/admin/delegations/delegate/").status_code == 200
    assert len(few) == len(many)


def test_delegate_changelist_search_both_scripts(client, secretary):
    DelegateFactory(name_latin="Nurlan Sadykov", name_cyrillic="Нурлан Садыков")
    DelegateFactory(name_latin="Other Person", name_cyrillic="Другой Человек")
    latin = client.get("/admin/delegations/delegate/", {"q": "Sadykov"})
    cyrillic = client.get("/admin/delegations/delegate/", {"q": "Садыков"})
    assert latin.context["cl"].result_count == 1
    assert cyrillic.context["cl"].result_count == 1


def test_delegate_changelist_travel_status_filter(client, secretary):
    ticketed = FlightLegFactory(status="ticketed").delegate
    FlightLegFactory(status="requested")
    DelegateFactory()
    response = client.get("/admin/delegations/delegate/", {"travel": "ticketed"})
    assert list(response.context["cl"].result_list) == [ticketed]


def test_passport_visible_only_with_permission(client, secretary):
    delegate = DelegateFactory()
    Passport.objects.create(
        delegate=delegate,
        number="N9988776",
        nationality="KZ",
        expires_on=datetime.date(2030, 1, 1),
    )
    url = f"/admin/delegations/delegate/{delegate.pk}/change/"
    assert "N9988776" in client.get(url).content.decode()
    client.logout()
    travel_clerk(client)
    response = client.get(url)
    assert response.status_code == 200
    assert "N9988776" not in response.content.decode()


def test_flight_entered_in_local_times_stored_as_utc(client, secretary):
    delegate = DelegateFactory()
    url = f"/admin/delegations/delegate/{delegate.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(
        {
            "delegation": delegate.delegation_id,
            "funded": "",
            "flights-TOTAL_FORMS": "1",
            "flights-INITIAL_FORMS": "0",
            "flights-0-carrier": "Air Astana",
            "flights-0-flight_number": "KC127",
            "flights-0-from_airport": "nqz",
            "flights-0-departs_local": "2017-06-12T09:10",
            "flights-0-to_airport": "ASB",
            "flights-0-arrives_local": "2017-06-12T10:55",
            "flights-0-status": "booked",
            "flights-0-fare": "412.00",
            "flights-0-currency": "usd",
            "hotel_stays-TOTAL_FORMS": "0",
            "hotel_stays-INITIAL_FORMS": "0",
            "transfers-TOTAL_FORMS": "0",
            "transfers-INITIAL_FORMS": "0",
            "passport-TOTAL_FORMS": "0",
            "passport-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    flight = FlightLeg.objects.get()
    assert flight.departs_at == datetime.datetime(
        2017, 6, 12, 3, 10, tzinfo=datetime.UTC
    )
    assert flight.arrives_at == datetime.datetime(
        2017, 6, 12, 5, 55, tzinfo=datetime.UTC
    )
    assert (flight.from_airport, flight.currency) == ("NQZ", "USD")


def test_delegation_inline_fourth_funded_refused_with_names(client, secretary):
    delegation = DelegationFactory(name_en="Kazakhstan")
    delegates = [
        DelegateFactory(delegation=delegation, funded=True, name_latin=n)
        for n in ("A One", "B Two", "C Three")
    ]
    fourth = DelegateFactory(delegation=delegation, name_latin="D Four")
    url = f"/admin/delegations/delegation/{delegation.pk}/change/"
    response = client.get(url)
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["meeting"] = delegation.meeting_id
    formset = response.context["inline_admin_formsets"][0].formset
    data.update(
        {
            f"{formset.prefix}-TOTAL_FORMS": "4",
            f"{formset.prefix}-INITIAL_FORMS": "4",
        }
    )
    for i, delegate in enumerate([*delegates, fourth]):
        prefix = f"{formset.prefix}-{i}"
        data.update(
            {
                f"{prefix}-id": delegate.pk,
                f"{prefix}-delegation": delegation.pk,
                f"{prefix}-name_latin": delegate.name_latin,
                f"{prefix}-name_cyrillic": delegate.name_cyrillic,
                f"{prefix}-position_en": delegate.position_en,
                f"{prefix}-position_ru": delegate.position_ru,
                f"{prefix}-role": delegate.role,
                f"{prefix}-email": delegate.email,
                f"{prefix}-funded": "on",
                f"{prefix}-sort_order": "100",
            }
        )
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Kazakhstan may have at most 3 funded delegate(s); this list marks 4 as "
        "funded: A One, B Two, C Three, D Four."
    ) in html
    assert Delegate.objects.filter(funded=True).count() == 3


def test_readiness_board_shows_missing_and_recent_changes(client, secretary):
    ready = DelegationFactory(name_en="Readyland", funded_quota=1)
    delegate = DelegateFactory(delegation=ready, funded=True)
    FlightLegFactory(delegate=delegate, status="ticketed")
    HotelStayFactory(delegate=delegate)
    for link in (issue_itinerary_link(delegate), issue_itinerary_link(ready)):
        link.sent_at = link.created_at
        link.save()
    DelegationFactory(
        meeting=ready.meeting, name_en="Lateland", invitation_status="invited"
    )
    update_own_details(delegate, data={"dietary_needs": "Halal"}, changed_by="x")
    response = client.get(
        "/admin/delegations/delegation/readiness/", {"meeting": ready.meeting_id}
    )
    rows = {row.delegation.name_en: row for row in response.context["rows"]}
    assert rows["Readyland"].missing == []
    assert rows["Lateland"].missing == [
        "participation not confirmed",
        "0 of 3 funded delegates named",
        "hotel not booked for everyone",
        "links not all sent",
    ]
    assert "Halal" in response.content.decode()


def test_budget_separates_estimated_and_committed_per_currency(client, secretary):
    delegation = DelegationFactory(name_en="Kazakhstan")
    funded = DelegateFactory(delegation=delegation, funded=True)
    FlightLegFactory(delegate=funded, status="ticketed", fare="400.00")
    FlightLegFactory(delegate=funded, status="requested", fare="100.00")
    FlightLegFactory(delegate=funded, status="booked", fare="50.00", currency="EUR")
    FlightLegFactory(delegate=funded, status="cancelled", fare="999.00")
    FlightLegFactory(delegate__delegation=delegation, fare="777.00")  # not funded
    response = client.get(
        "/admin/delegations/delegation/budget/", {"meeting": delegation.meeting_id}
    )
    lines = [
        (line.delegation, line.currency, str(line.estimated), str(line.committed))
        for line in response.context["lines"]
    ]
    assert lines == [
        ("Kazakhstan", "EUR", "50.00", "0"),
        ("Kazakhstan", "USD", "100.00", "400.00"),
    ]
    totals = [(t.currency, str(t.total)) for t in response.context["totals"]]
    assert totals == [("EUR", "50.00"), ("USD", "500.00")]


def test_delegate_change_page_warns_when_trip_misses_meeting(client, secretary):
    late = FlightLegFactory(
        delegate__funded=True,
        departs_at=datetime.datetime(2017, 6, 13, 6, 0, tzinfo=datetime.UTC),
        arrives_at=datetime.datetime(2017, 6, 13, 8, 0, tzinfo=datetime.UTC),
    )
    html = client.get(
        f"/admin/delegations/delegate/{late.delegate_id}/change/"
    ).content.decode()
    assert "The trip reaches ASB only after the meeting starts." in html
    assert "No flight leaves ASB." in html


def test_admin_shows_transfers_in_meeting_local_time(client, secretary):
    from delegations.models import GroundTransfer

    delegate = DelegateFactory()
    GroundTransfer.objects.create(
        delegate=delegate,
        pickup_at=datetime.datetime(2017, 6, 12, 6, 25, tzinfo=datetime.UTC),
        pickup_place_en="Airport",
        pickup_place_ru="Аэропорт",
        destination_en="Hotel",
        destination_ru="Гостиница",
    )
    html = client.get(f"/admin/delegations/delegate/{delegate.pk}/change/").content
    assert b'value="11:25:00"' in html  # Asia/Ashgabat is UTC+5


def test_admin_duplicate_email_is_a_form_error_not_a_crash(client, secretary):
    existing = DelegateFactory(email="minister@mfa.example", name_latin="A Minister")
    response = client.post(
        "/admin/delegations/delegate/add/",
        {
            "delegation": existing.delegation_id,
            "name_latin": "New Person",
            "name_cyrillic": "Новый Человек",
            "position_en": "Adviser",
            "position_ru": "Советник",
            "role": "adviser",
            "sort_order": "100",
            "email": "Minister@mfa.example",
            "phone": "",
            "preferred_language": "ru",
            "flights-TOTAL_FORMS": "0",
            "flights-INITIAL_FORMS": "0",
            "hotel_stays-TOTAL_FORMS": "0",
            "hotel_stays-INITIAL_FORMS": "0",
            "transfers-TOTAL_FORMS": "0",
            "transfers-INITIAL_FORMS": "0",
            "passport-TOTAL_FORMS": "0",
            "passport-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        f"A Minister ({existing.delegation}) already has this email at this meeting."
    ]
    assert Delegate.objects.count() == 1


def test_save_delegate_duplicate_email_is_validation_error():
    from django.core.exceptions import ValidationError

    from delegations.services import save_delegate

    existing = DelegateFactory(email="minister@mfa.example")
    twin = DelegateFactory.build(
        delegation=existing.delegation, email="minister@mfa.example"
    )
    with pytest.raises(ValidationError) as excinfo:
        save_delegate(twin)
    assert list(excinfo.value.message_dict) == ["__all__"]


def test_passport_changes_hidden_from_staff_without_passport_permission(client):
    delegate = DelegateFactory()
    update_own_details(
        delegate,
        data={
            "dietary_needs": "Halal",
            "passport_number": "N1234567",
            "passport_nationality": "KZ",
            "passport_date_of_birth": datetime.date(1971, 3, 14),
            "passport_expires_on": datetime.date(2030, 1, 1),
        },
        changed_by="the delegate",
    )
    user = get_user_model().objects.create_user("nopass", password=None, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="delegations",
            codename__in=["view_delegate", "view_selfservicechange"],
        )
    )
    client.force_login(user)
    board = client.get(
        "/admin/delegations/delegation/readiness/", {"meeting": delegate.meeting_id}
    )
    log = client.get("/admin/delegations/selfservicechange/")
    for response in (board, log):
        html = response.content.decode()
        assert "Halal" in html
        assert "1971-03-14" not in html
        assert "567" not in html
    assert [c.field_label for c in board.context["changes"]] == ["dietary needs"]

    user.user_permissions.add(Permission.objects.get(codename="view_passport_details"))
    client.force_login(get_user_model().objects.get(pk=user.pk))
    html = client.get("/admin/delegations/selfservicechange/").content.decode()
    assert "1971-03-14" in html
    assert "passport: date of birth" in html
