import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.models import Delegate, FlightLeg, HotelStay, Passport
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


def delegation_inline_post(client, delegation, rows, **changes) -> dict:
    """Return the POST of the delegation's change form, its inline as given.

    rows are (delegate or None, {field: value}); funded is ticked when true.
    """
    url = f"/admin/delegations/delegation/{delegation.pk}/change/"
    response = client.get(url)
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["meeting"] = delegation.meeting_id
    prefix = response.context["inline_admin_formsets"][0].formset.prefix
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": str(sum(1 for d, _ in rows if d)),
        }
    )
    for i, (delegate, values) in enumerate(rows):
        source = delegate or DelegateFactory.build(delegation=delegation)
        row = {
            "id": delegate.pk if delegate else "",
            "delegation": delegation.pk,
            "name_latin": source.name_latin,
            "name_cyrillic": source.name_cyrillic,
            "position_en": source.position_en,
            "position_ru": source.position_ru,
            "role": source.role,
            "email": source.email,
            "funded": source.funded,
            "sort_order": "100",
            **values,
        }
        if not row["funded"]:
            del row["funded"]
        else:
            row["funded"] = "on"
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    data.update(changes)
    return data


def inline_forms(response):
    return response.context["inline_admin_formsets"][0].formset.forms


def test_delegation_inline_fourth_funded_refused_on_its_row(client, secretary):
    delegation = DelegationFactory(name_en="Kazakhstan")
    delegates = [
        DelegateFactory(delegation=delegation, funded=True, name_latin=n)
        for n in ("A One", "B Two", "C Three")
    ]
    fourth = DelegateFactory(delegation=delegation, name_latin="D Four")
    rows = [(d, {}) for d in delegates] + [(fourth, {"funded": True})]
    url = f"/admin/delegations/delegation/{delegation.pk}/change/"
    response = client.post(url, delegation_inline_post(client, delegation, rows))
    assert response.status_code == 200
    forms = inline_forms(response)
    assert forms[3].errors == {
        "funded": [
            "Kazakhstan already has 3 funded delegates, its quota of 3: A One, "
            "B Two, C Three. Unfund one of them first, or raise the quota."
        ]
    }
    assert [form.errors for form in forms[:3]] == [{}, {}, {}]
    assert forms[3]["funded"].value() is True  # what the secretary ticked
    assert Delegate.objects.filter(funded=True).count() == 3


def test_delegation_inline_gives_a_place_up_and_takes_it_in_one_save(client, secretary):
    delegation = DelegationFactory()
    delegates = DelegateFactory.create_batch(3, delegation=delegation, funded=True)
    fourth = DelegateFactory(delegation=delegation)
    rows = [
        (delegates[0], {"funded": False}),
        (delegates[1], {}),
        (delegates[2], {}),
        (fourth, {"funded": True}),
    ]
    url = f"/admin/delegations/delegation/{delegation.pk}/change/"
    response = client.post(url, delegation_inline_post(client, delegation, rows))
    assert response.status_code == 302
    assert set(Delegate.objects.filter(funded=True).values_list("pk", flat=True)) == {
        delegates[1].pk,
        delegates[2].pk,
        fourth.pk,
    }


def test_delegation_inline_lowered_quota_refused_on_a_funded_row(client, secretary):
    delegation = DelegationFactory(name_en="Kazakhstan")
    delegates = [
        DelegateFactory(delegation=delegation, funded=True, name_latin=n)
        for n in ("A One", "B Two")
    ]
    url = f"/admin/delegations/delegation/{delegation.pk}/change/"
    response = client.post(
        url,
        delegation_inline_post(
            client, delegation, [(d, {}) for d in delegates], funded_quota="1"
        ),
    )
    assert response.status_code == 200
    assert inline_forms(response)[0].errors == {
        "funded": [
            "Kazakhstan already has 1 funded delegate, its quota of 1: B Two. "
            "Unfund them first, or raise the quota."
        ]
    }
    delegation.refresh_from_db()
    assert delegation.funded_quota == 3


def test_delegation_inline_lowers_the_quota_and_unfunds_in_one_save(client, secretary):
    delegation = DelegationFactory()
    kept, unfunded = DelegateFactory.create_batch(2, delegation=delegation, funded=True)
    rows = [(kept, {}), (unfunded, {"funded": False})]
    url = f"/admin/delegations/delegation/{delegation.pk}/change/"
    response = client.post(
        url, delegation_inline_post(client, delegation, rows, funded_quota="1")
    )
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.funded_quota == 1
    assert list(Delegate.objects.filter(funded=True).values_list("pk", flat=True)) == [
        kept.pk
    ]


def test_delegation_inline_two_rows_with_one_email_in_two_cases(client, secretary):
    delegation = DelegationFactory(name_en="Kazakhstan")
    rows = [
        (None, {"name_latin": "New One", "email": "adviser@mfa.example"}),
        (None, {"name_latin": "New Two", "email": "Adviser@MFA.example"}),
    ]
    url = f"/admin/delegations/delegation/{delegation.pk}/change/"
    response = client.post(url, delegation_inline_post(client, delegation, rows))
    assert response.status_code == 200
    forms = inline_forms(response)
    assert [form.errors["email"] for form in forms] == [
        ["New Two (Kazakhstan) already has this email at this meeting."],
        ["New One (Kazakhstan) already has this email at this meeting."],
    ]
    assert forms[1]["email"].value() == "Adviser@MFA.example"
    assert Delegate.objects.count() == 0


def test_delegation_inline_row_takes_an_address_another_row_gives_up(client, secretary):
    delegation = DelegationFactory()
    old = DelegateFactory(delegation=delegation, email="adviser@mfa.example")
    rows = [
        (old, {"email": "former.adviser@mfa.example"}),
        (None, {"name_latin": "New Adviser", "email": "ADVISER@mfa.example"}),
    ]
    url = f"/admin/delegations/delegation/{delegation.pk}/change/"
    response = client.post(url, delegation_inline_post(client, delegation, rows))
    assert response.status_code == 302
    assert Delegate.objects.get(name_latin="New Adviser").email == (
        "ADVISER@mfa.example"
    )


def delegate_post(delegate, stays=(), **changes) -> dict:
    """Return the POST of a delegate's change form with hotel stays as given.

    stays are (stay or None, {field: value}).
    """
    data = {
        "delegation": delegate.delegation_id,
        "name_latin": delegate.name_latin,
        "name_cyrillic": delegate.name_cyrillic,
        "position_en": delegate.position_en,
        "position_ru": delegate.position_ru,
        "role": delegate.role,
        "sort_order": "100",
        "email": delegate.email,
        "phone": delegate.phone,
        "preferred_language": delegate.preferred_language,
        "flights-TOTAL_FORMS": "0",
        "flights-INITIAL_FORMS": "0",
        "hotel_stays-TOTAL_FORMS": str(len(stays)),
        "hotel_stays-INITIAL_FORMS": str(sum(1 for s, _ in stays if s)),
        "transfers-TOTAL_FORMS": "0",
        "transfers-INITIAL_FORMS": "0",
        "passport-TOTAL_FORMS": "0",
        "passport-INITIAL_FORMS": "0",
    }
    for i, (stay, values) in enumerate(stays):
        row = {
            "id": stay.pk if stay else "",
            "delegate": delegate.pk,
            "hotel_en": stay.hotel_en if stay else "Yyldyz Hotel",
            "hotel_ru": stay.hotel_ru if stay else "Гостиница «Йылдыз»",
            "check_in": stay.check_in if stay else "",
            "check_out": stay.check_out if stay else "",
            "confirmation_number": "",
            **values,
        }
        data.update({f"hotel_stays-{i}-{key}": value for key, value in row.items()})
    data.update(changes)
    return data


def test_hotel_inline_overlap_refused_on_both_rows_naming_the_other(client, secretary):
    delegate = DelegateFactory()
    stored = HotelStayFactory(delegate=delegate, hotel_en="Yyldyz Hotel")
    response = client.post(
        f"/admin/delegations/delegate/{delegate.pk}/change/",
        delegate_post(
            delegate,
            [
                (stored, {}),
                (
                    None,
                    {
                        "hotel_en": "Sofitel Oguzkent",
                        "check_in": "2017-06-13",
                        "check_out": "2017-06-15",
                    },
                ),
            ],
        ),
    )
    assert response.status_code == 200
    forms = response.context["inline_admin_formsets"][1].formset.forms
    assert [form.errors for form in forms] == [
        {
            "check_in": [
                "This stay overlaps the stay at Sofitel Oguzkent from 2017-06-13 "
                "to 2017-06-15."
            ]
        },
        {
            "check_in": [
                "This stay overlaps the stay at Yyldyz Hotel from 2017-06-12 to "
                "2017-06-14."
            ]
        },
    ]
    assert forms[1]["check_in"].value() == "2017-06-13"
    assert HotelStay.objects.count() == 1


def test_hotel_inline_moves_a_stay_and_adds_one_on_its_old_dates(client, secretary):
    delegate = DelegateFactory()
    stored = HotelStayFactory(delegate=delegate)
    response = client.post(
        f"/admin/delegations/delegate/{delegate.pk}/change/",
        delegate_post(
            delegate,
            [
                (stored, {"check_in": "2017-06-14", "check_out": "2017-06-16"}),
                (None, {"check_in": "2017-06-12", "check_out": "2017-06-14"}),
            ],
        ),
    )
    assert response.status_code == 302
    assert list(HotelStay.objects.values_list("check_in", "check_out")) == [
        (datetime.date(2017, 6, 12), datetime.date(2017, 6, 14)),
        (datetime.date(2017, 6, 14), datetime.date(2017, 6, 16)),
    ]


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
    form = response.context["adminform"].form
    assert form.errors["email"] == [
        f"A Minister ({existing.delegation}) already has this email at this meeting."
    ]
    assert (form["email"].value(), form["name_latin"].value()) == (
        "Minister@mfa.example",
        "New Person",
    )
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
    assert list(excinfo.value.message_dict) == ["email"]


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
    # The board says a passport changed, with every passport value masked.
    shown = {
        (row.change.field, row.old_value, row.new_value, row.masked)
        for row in board.context["changes"]
    }
    assert shown == {
        ("dietary_needs", "", "Halal", False),
        ("passport.number", "", "••••••", True),
        ("passport.nationality", "", "••••••", True),
        ("passport.date_of_birth", "", "••••••", True),
        ("passport.expires_on", "", "••••••", True),
    }
    assert "passport: date of birth" in board.content.decode()

    user.user_permissions.add(Permission.objects.get(codename="view_passport_details"))
    client.force_login(get_user_model().objects.get(pk=user.pk))
    html = client.get("/admin/delegations/selfservicechange/").content.decode()
    assert "passport: date of birth" in html
    board = client.get(
        "/admin/delegations/delegation/readiness/", {"meeting": delegate.meeting_id}
    )
    # Dates by the one rule, on the board and in the log.
    assert "14 March 1971" in board.content.decode()
    assert "14 March 1971" in html
    assert not any(row.masked for row in board.context["changes"])
    russian = client.get(
        "/admin/delegations/delegation/readiness/",
        {"meeting": delegate.meeting_id},
        HTTP_ACCEPT_LANGUAGE="ru",
    ).content.decode()
    assert "14 марта 1971 г." in russian
    # Who changed it, in the reader's language, and the delegate's own name.
    assert "<td>делегат</td>" in russian
    assert delegate.name_cyrillic in russian
