"""The budget shows the whole cost: per delegation and in total, per currency,
every cost line as estimated, committed and paid (travel.selectors.budget and
the budget page)."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory
from travel.models import VisaFee
from travel.selectors import LINES, STAGES, budget
from travel.services import recompute_entitlements, record_payment

pytestmark = pytest.mark.django_db
URL = "/admin/travel/entitlement/budget/"
UTC = datetime.UTC
NBSP = "\xa0"


@pytest.fixture
def secretary(client):
    user = get_user_model().objects.create_user("sec", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(user)
    return user


def uzbek(meeting, name="Uzbekistan", order=100):
    delegate = DelegateFactory(
        delegation=DelegationFactory(
            meeting=meeting, name_en=name, sort_order=order, country_code=""
        ),
        funded=True,
        name_latin=f"Jasur {name}",
    )
    FlightLegFactory(
        delegate=delegate,
        from_airport="TAS",
        departs_at=datetime.datetime(2017, 6, 12, 8, 20, tzinfo=UTC),
        arrives_at=datetime.datetime(2017, 6, 12, 9, 35, tzinfo=UTC),
        status="requested",
        fare="260.00",
        currency="EUR",
    )
    FlightLegFactory(
        delegate=delegate,
        from_airport="ASB",
        to_airport="TAS",
        departs_at=datetime.datetime(2017, 6, 14, 11, 0, tzinfo=UTC),
        arrives_at=datetime.datetime(2017, 6, 14, 12, 10, tzinfo=UTC),
        status="requested",
        fare="260.00",
        currency="EUR",
    )
    return delegate


@pytest.fixture
def costs(meeting, rules, traveller):
    traveller.delegation.sort_order = 10
    traveller.delegation.save()
    uzbek(meeting)
    FlightLegFactory(delegate=traveller, status="cancelled", fare="999.00")
    FlightLegFactory(delegate__delegation=traveller.delegation, fare="777.00")
    recompute_entitlements(meeting)
    record_payment(
        traveller,
        amount=Decimal("400.00"),
        currency="USD",
        paid_on=datetime.date(2017, 6, 12),
        method="cash",
        reference="PV-1",
    )
    VisaFee.objects.create(
        delegate=traveller,
        amount=Decimal("60.00"),
        currency="EUR",
        paid_on=datetime.date(2017, 5, 30),
        status="reimbursed",
        reimbursed_on=datetime.date(2017, 6, 12),
    )
    VisaFee.objects.create(
        delegate=traveller,
        amount=Decimal("30.00"),
        currency="USD",
        paid_on=datetime.date(2017, 5, 30),
    )
    return meeting


def table(row):
    return {line: [str(row.get(line, stage)) for stage in STAGES] for line in LINES}


def test_budget_per_delegation_and_currency(costs):
    report = budget(costs)
    rows = {(r.label, r.currency): table(r) for r in report.rows}
    assert rows == {
        ("Kazakhstan", "USD"): {
            "fare": ["824.00", "824.00", "824.00"],
            "dsa": ["400.00", "400.00", "400.00"],
            "terminal": ["180.00", "180.00", "0.00"],
            "other": ["30.00", "30.00", "0.00"],
        },
        ("Kazakhstan", "EUR"): {
            "fare": ["0.00", "0.00", "0.00"],
            "dsa": ["0.00", "0.00", "0.00"],
            "terminal": ["0.00", "0.00", "0.00"],
            "other": ["60.00", "60.00", "60.00"],
        },
        ("Uzbekistan", "EUR"): {
            "fare": ["520.00", "0.00", "0.00"],
            "dsa": ["0.00", "0.00", "0.00"],
            "terminal": ["0.00", "0.00", "0.00"],
            "other": ["0.00", "0.00", "0.00"],
        },
        ("Uzbekistan", "USD"): {
            "fare": ["0.00", "0.00", "0.00"],
            "dsa": ["400.00", "0.00", "0.00"],
            "terminal": ["180.00", "0.00", "0.00"],
            "other": ["0.00", "0.00", "0.00"],
        },
    }
    assert [(r.label, r.currency) for r in report.rows] == [
        ("Kazakhstan", "EUR"),
        ("Kazakhstan", "USD"),
        ("Uzbekistan", "EUR"),
        ("Uzbekistan", "USD"),
    ]


def test_budget_totals_equal_the_sum_of_their_lines_per_currency(costs):
    report = budget(costs)
    assert [t.currency for t in report.totals] == ["EUR", "USD"]
    for total in report.totals:
        for line in LINES:
            for stage in STAGES:
                assert total.get(line, stage) == sum(
                    (
                        r.get(line, stage)
                        for r in report.rows
                        if r.currency == total.currency
                    ),
                    Decimal(0),
                )
                assert total.get(line, stage) == sum(
                    (
                        s.__dict__[stage]
                        for s in report.seat_lines
                        if s.currency == total.currency and s.line == line
                    ),
                    Decimal(0),
                )
    usd = next(t for t in report.totals if t.currency == "USD")
    assert [str(a) for a in usd.totals] == ["2014.00", "1434.00", "1224.00"]


def make_delegations(meeting, count, start):
    for index in range(count):
        delegate = uzbek(meeting, name=f"State {start + index}", order=start + index)
        record_payment(
            delegate,
            amount=Decimal("10.00"),
            currency="USD",
            paid_on=datetime.date(2017, 6, 12),
            method="cash",
        )
        VisaFee.objects.create(
            delegate=delegate,
            amount=Decimal("5"),
            currency="USD",
            paid_on=datetime.date(2017, 6, 1),
        )


def test_budget_page_queries_do_not_grow_with_delegations(
    client, secretary, meeting, rules, django_assert_num_queries
):
    make_delegations(meeting, 2, 0)
    recompute_entitlements(meeting)
    client.get(URL, {"meeting": meeting.pk})  # warm the session and caches
    with django_assert_num_queries(17) as small:
        response = client.get(URL, {"meeting": meeting.pk})
    assert len(response.context["report"].rows) == 4
    make_delegations(meeting, 12, 2)
    recompute_entitlements(meeting)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"meeting": meeting.pk})
    assert len(response.context["report"].rows) == 28


def test_budget_page_formats_amounts_in_english(client, secretary, costs):
    html = client.get(
        URL, {"meeting": costs.pk}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<td class="num">$824.00</td>' in html
    assert '<td class="num">€520.00</td>' in html
    assert "Estimated</strong>: what the current itineraries cost" in html


def test_budget_page_formats_amounts_in_russian(client, secretary, costs):
    html = client.get(
        URL, {"meeting": costs.pk}, HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert f'<td class="num">824,00{NBSP}$</td>' in html
    assert f'<td class="num">1{NBSP}434,00{NBSP}$</td>' in html


def test_budget_page_lists_a_flagged_entitlement_with_its_difference(
    client, secretary, costs, traveller, django_capture_on_commit_callbacks
):
    from delegations.services import save_flight_leg

    back = traveller.flights.get(from_airport="ASB")
    back.departs_at = datetime.datetime(2017, 6, 15, 7, 5, tzinfo=UTC)
    back.arrives_at = datetime.datetime(2017, 6, 15, 9, 40, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        save_flight_leg(back)
    html = client.get(URL, {"meeting": costs.pk}).content.decode()
    assert "1 entitlement recomputed after payment" in html
    # 600 DSA + 180 terminal = 780 due, 400 paid.
    assert "recomputed after payment, difference $380.00" in html


def donor_rows(meeting):
    code = "EU-CT-2017-04"
    slug = meeting.slug
    return [
        ["Budget line", "Meeting", "Delegation", "Delegate", "Cost line", "Currency"]
        + ["Estimated", "Committed", "Paid"],
        [code, slug, "Kazakhstan", "Nurlan Sadykov", "fares", "USD"]
        + ["824.00", "824.00", "824.00"],
        [code, slug, "Kazakhstan", "Nurlan Sadykov", "DSA", "USD"]
        + ["400.00", "400.00", "400.00"],
        [code, slug, "Kazakhstan", "Nurlan Sadykov", "terminal expenses", "USD"]
        + ["180.00", "180.00", "0.00"],
        [code, slug, "Kazakhstan", "Nurlan Sadykov", "other costs", "EUR"]
        + ["60.00", "60.00", "60.00"],
        [code, slug, "Kazakhstan", "Nurlan Sadykov", "other costs", "USD"]
        + ["30.00", "30.00", "0.00"],
        [code, slug, "Uzbekistan", "Jasur Uzbekistan", "fares", "EUR"]
        + ["520.00", "0.00", "0.00"],
        [code, slug, "Uzbekistan", "Jasur Uzbekistan", "DSA", "USD"]
        + ["400.00", "0.00", "0.00"],
        [code, slug, "Uzbekistan", "Jasur Uzbekistan", "terminal expenses", "USD"]
        + ["180.00", "0.00", "0.00"],
    ]


def test_donor_export_csv_reads_back(client, secretary, costs):
    response = client.get(URL + "export.csv", {"meeting": costs.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="travel-costs-{costs.slug}.csv"'
    )
    rows = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""))
    )
    assert rows == donor_rows(costs)


def test_donor_export_xlsx_reads_back(client, secretary, costs):
    response = client.get(URL + "export.xlsx", {"meeting": costs.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    expected = [row[:6] + [float(v) for v in row[6:]] for row in donor_rows(costs)[1:]]
    assert values[0] == donor_rows(costs)[0]
    assert [row[:6] + [float(v) for v in row[6:]] for row in values[1:]] == expected


def test_donor_export_is_formula_safe_and_in_russian(client, secretary, costs):
    from delegations.models import Delegation

    Delegation.objects.filter(name_en="Kazakhstan").update(name_ru="=Казахстан")
    text = client.get(
        URL + "export.csv", {"meeting": costs.pk}, HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == (
        "Бюджетная статья,Встреча,Делегация,Делегат,Статья расходов,Валюта,"
        "Предварительно,Обязательства,Оплачено"
    )
    assert "'=Казахстан" in lines[1]
    assert "$" not in text


def test_budget_page_links_the_exports(client, secretary, meeting):
    html = client.get(URL, {"meeting": meeting.pk}).content.decode()
    assert f"{URL}export.csv?meeting={meeting.pk}" in html
    assert f"{URL}export.xlsx?meeting={meeting.pk}" in html


def test_budget_page_pages_the_delegations_and_keeps_the_totals(
    client, secretary, costs, monkeypatch
):
    from travel import admin as travel_admin

    monkeypatch.setattr(travel_admin, "BUDGET_ROWS_PER_PAGE", 3)
    first = client.get(URL, {"meeting": costs.pk})
    second = client.get(URL, {"meeting": costs.pk, "page": 2})
    assert [(r.label, r.currency) for r in first.context["rows"]] == [
        ("Kazakhstan", "EUR"),
        ("Kazakhstan", "USD"),
        ("Uzbekistan", "EUR"),
    ]
    assert [(r.label, r.currency) for r in second.context["rows"]] == [
        ("Uzbekistan", "USD"),
    ]
    html = second.content.decode()
    assert "Page 2 of 2" in html
    assert f'<a href="?meeting={costs.pk}&amp;page=1">1</a>' in html
    assert '<td class="num">$2,014.00</td>' in html  # the USD total, every page
