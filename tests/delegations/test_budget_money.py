"""The budget page gives each amount in its currency's format, EN and RU."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
URL = "/admin/delegations/delegation/budget/"


@pytest.fixture
def secretary(client):
    user = get_user_model().objects.create_user("sec", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(user)
    return user


@pytest.fixture
def funded_legs():
    delegate = DelegateFactory(
        delegation=DelegationFactory(name_en="Kazakhstan"), funded=True
    )
    FlightLegFactory(delegate=delegate, status="ticketed", fare="412.00")
    FlightLegFactory(delegate=delegate, status="booked", fare="1500", currency="JPY")
    return delegate.delegation.meeting_id


def test_budget_page_formats_amounts_in_english(client, secretary, funded_legs):
    html = client.get(
        URL, {"meeting": funded_legs}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<td class="num">$412.00</td>' in html
    assert '<td class="num">¥1,500</td>' in html
    assert "¥1,500.00" not in html


def test_budget_page_formats_amounts_in_russian(client, secretary, funded_legs):
    html = client.get(
        URL, {"meeting": funded_legs}, HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert f'<td class="num">412,00{NBSP}$</td>' in html
    assert f'<td class="num">1{NBSP}500{NBSP}¥</td>' in html


def test_budget_export_keeps_raw_numbers_and_a_currency_column(
    client, secretary, funded_legs
):
    csv = (
        client.get(
            URL + "export.csv", {"meeting": funded_legs}, HTTP_ACCEPT_LANGUAGE="ru"
        )
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert any(",USD,1,0,412.00,412.00" in row for row in csv)
    assert "$" not in "".join(csv)
