"""The admin's delegate, hotel and flight forms show the services' refusals on
the field they are about and keep what was typed; local times that name no
instant or two are refused or asked back."""

import datetime

import pytest
from django.forms import inlineformset_factory

from delegations.admin_forms import (
    DelegateForm,
    FlightLegForm,
    HotelStayForm,
    HotelStayFormSet,
)
from delegations.models import Delegate, FlightLeg, HotelStay
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    FlightLegFactory,
    HotelStayFactory,
)

pytestmark = pytest.mark.django_db


def delegate_data(delegation, **changes) -> dict:
    return {
        "delegation": delegation.pk,
        "name_latin": "Dana Five",
        "name_cyrillic": "Дана Пятая",
        "position_en": "Adviser",
        "position_ru": "Советник",
        "role": "adviser",
        "sort_order": "100",
        "email": "dana@mfa.example",
        "phone": "+993 12 34 56 78",
        "preferred_language": "ru",
        **changes,
    }


def test_delegate_form_shows_the_quota_at_funded_and_keeps_the_input():
    delegation = DelegationFactory(name_en="Kazakhstan", funded_quota=1)
    DelegateFactory(delegation=delegation, funded=True, name_latin="Ann One")
    form = DelegateForm(data=delegate_data(delegation, funded="on"))
    assert form.errors == {
        "funded": [
            "Kazakhstan already has 1 funded delegate, its quota of 1: Ann One. "
            "Unfund them first, or raise the quota."
        ]
    }
    assert (form["funded"].value(), form["name_latin"].value()) == (True, "Dana Five")


def test_delegate_form_shows_an_email_in_another_case_at_email():
    delegation = DelegationFactory(name_en="Kazakhstan")
    DelegateFactory(
        delegation=delegation, email="dana@mfa.example", name_latin="Dana Four"
    )
    form = DelegateForm(data=delegate_data(delegation, email="DANA@mfa.example"))
    assert form.errors == {
        "email": ["Dana Four (Kazakhstan) already has this email at this meeting."]
    }
    assert form["email"].value() == "DANA@mfa.example"


def test_delegate_form_editing_a_funded_delegate_keeps_its_place():
    delegation = DelegationFactory(funded_quota=1)
    delegate = DelegateFactory(delegation=delegation, funded=True)
    form = DelegateForm(
        data=delegate_data(delegation, funded="on", email=delegate.email.upper()),
        instance=delegate,
    )
    assert form.errors == {}
    form.save()
    assert Delegate.objects.get().email == delegate.email.upper()


StayFormSet = inlineformset_factory(
    Delegate, HotelStay, form=HotelStayForm, formset=HotelStayFormSet, extra=0
)


def stay_data(stays) -> dict:
    data = {
        "hotel_stays-TOTAL_FORMS": str(len(stays)),
        "hotel_stays-INITIAL_FORMS": str(sum(1 for s in stays if s.get("id"))),
    }
    for i, stay in enumerate(stays):
        row = {"hotel_en": "Yyldyz Hotel", "hotel_ru": "Йылдыз", **stay}
        data.update({f"hotel_stays-{i}-{k}": v for k, v in row.items()})
    return data


def test_hotel_formset_shows_overlap_with_a_stored_stay_at_check_in():
    stored = HotelStayFactory(hotel_en="Sofitel Oguzkent")
    formset = StayFormSet(
        data=stay_data(
            [
                {
                    "id": stored.pk,
                    "hotel_en": "Sofitel Oguzkent",
                    "check_in": "2017-06-12",
                    "check_out": "2017-06-14",
                },
                {"check_in": "2017-06-10", "check_out": "2017-06-13"},
            ]
        ),
        instance=stored.delegate,
    )
    assert not formset.is_valid()
    assert formset.forms[1].errors == {
        "check_in": [
            "This stay overlaps the stay at Sofitel Oguzkent from 2017-06-12 to "
            "2017-06-14."
        ]
    }
    assert formset.forms[1]["check_in"].value() == "2017-06-10"


def test_hotel_formset_deleting_a_stay_frees_its_dates():
    stored = HotelStayFactory()
    formset = StayFormSet(
        data=stay_data(
            [
                {
                    "id": stored.pk,
                    "check_in": "2017-06-12",
                    "check_out": "2017-06-14",
                    "DELETE": "on",
                },
                {"check_in": "2017-06-12", "check_out": "2017-06-13"},
            ]
        ),
        instance=stored.delegate,
    )
    assert formset.is_valid(), formset.errors


# Flight legs in local time: a time the clocks skip or show twice is asked back --

FlightFormSet = inlineformset_factory(Delegate, FlightLeg, form=FlightLegForm, extra=0)


def flight_data(legs) -> dict:
    data = {
        "flights-TOTAL_FORMS": str(len(legs)),
        "flights-INITIAL_FORMS": str(sum(1 for leg in legs if leg.get("id"))),
    }
    for i, leg in enumerate(legs):
        row = {
            "carrier": "British Airways",
            "flight_number": "BA 7",
            "from_airport": "LHR",
            "departs_local": "2017-06-11T21:00",
            "to_airport": "ASB",
            "arrives_local": "2017-06-12T08:00",
            "status": "ticketed",
            "currency": "GBP",
            **leg,
        }
        data.update({f"flights-{i}-{k}": v for k, v in row.items()})
    return data


def legs_form(delegate, legs):
    return FlightFormSet(flight_data(legs), instance=delegate, prefix="flights")


def test_flight_form_refuses_a_time_the_clocks_skip():
    delegate = DelegateFactory()
    formset = legs_form(delegate, [{"departs_local": "2017-03-26T01:30"}])
    assert not formset.is_valid()
    assert formset.forms[0].errors == {
        "departs_local": [
            "2017-03-26 01:30 does not exist at London\u00a0(LHR): that night the "
            "clocks went forward from 01:00 to 02:00 (from UTC+00:00 to UTC+01:00). "
            "Check the time on the ticket or the programme."
        ]
    }


def test_flight_form_asks_which_of_two_times_and_offers_both():
    delegate = DelegateFactory()
    formset = legs_form(delegate, [{"departs_local": "2017-10-29T01:30"}])
    assert not formset.is_valid()
    assert formset.forms[0].errors == {
        "departs_local": [
            "2017-10-29 01:30 happens twice at London\u00a0(LHR), when the clocks go "
            "back: first at UTC+01:00, then again at UTC+00:00. Choose which one "
            "beside the time."
        ]
    }
    html = str(formset.forms[0]["departs_local"])
    assert 'name="flights-0-departs_local_offset"' in html
    assert 'aria-label="Which of the two times"' in html
    assert '<option value="+01:00">the first, at UTC+01:00</option>' in html
    assert '<option value="+00:00">the second, at UTC+00:00</option>' in html
    # What was typed stays.
    assert 'value="2017-10-29T01:30"' in html


@pytest.mark.parametrize(("chosen", "hour"), [("+01:00", 0), ("+00:00", 1)])
def test_flight_form_takes_the_time_chosen(chosen, hour):
    delegate = DelegateFactory()
    formset = legs_form(
        delegate,
        [
            {
                "departs_local": "2017-10-29T01:30",
                "departs_local_offset": chosen,
                "arrives_local": "2017-10-29T12:00",
            }
        ],
    )
    assert formset.is_valid(), formset.errors
    (leg,) = formset.save(commit=False)
    assert leg.departs_at == datetime.datetime(
        2017, 10, 29, hour, 30, tzinfo=datetime.UTC
    )


def test_flight_form_on_a_saved_time_that_happens_twice_keeps_it_and_sees_a_change():
    delegate = DelegateFactory()
    leg = FlightLegFactory(
        delegate=delegate,
        from_airport="LHR",
        to_airport="ASB",
        departs_at=datetime.datetime(2017, 10, 29, 1, 30, tzinfo=datetime.UTC),
        arrives_at=datetime.datetime(2017, 10, 29, 8, 0, tzinfo=datetime.UTC),
    )
    shown = FlightFormSet(instance=delegate, prefix="flights").forms[0]
    assert '<option value="+00:00" selected>' in str(shown["departs_local"])
    unchanged = {
        "id": str(leg.pk),
        "carrier": leg.carrier,
        "flight_number": leg.flight_number,
        "departs_local": "2017-10-29T01:30",
        "departs_local_offset": "+00:00",
        "arrives_local": "2017-10-29T13:00",
        "currency": leg.currency,
        "status": leg.status,
        "fare": str(leg.fare),
        "booking_reference": leg.booking_reference,
    }
    formset = legs_form(delegate, [unchanged])
    assert formset.is_valid(), formset.errors
    assert formset.forms[0].changed_data == []
    formset = legs_form(delegate, [{**unchanged, "departs_local_offset": "+01:00"}])
    assert formset.is_valid(), formset.errors
    assert formset.forms[0].has_changed()
    (saved,) = formset.save(commit=False)
    assert saved.departs_at == datetime.datetime(
        2017, 10, 29, 0, 30, tzinfo=datetime.UTC
    )


def test_flight_form_refuses_a_year_far_from_the_meeting_at_departure():
    delegate = DelegateFactory()
    formset = legs_form(
        delegate,
        [{"departs_local": "1917-06-11T21:00", "arrives_local": "1917-06-12T08:00"}],
    )
    assert not formset.is_valid()
    assert formset.forms[0].errors == {
        "departs_local": [
            "The flight departs on 1917-06-11, more than a year from the meeting "
            "(2017-06-13 to 2017-06-13): check the year."
        ]
    }
