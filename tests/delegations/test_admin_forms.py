"""The admin's delegate and hotel forms show the services' refusals on the field
they are about and keep what was typed."""

import pytest
from django.forms import inlineformset_factory

from delegations.admin_forms import DelegateForm, HotelStayForm, HotelStayFormSet
from delegations.models import Delegate, HotelStay
from tests.factories import DelegateFactory, DelegationFactory, HotelStayFactory

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
            "Kazakhstan already has 1 funded delegate(s), its quota of 1: Ann One. "
            "Unfund one of them first, or raise the quota."
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
