"""Browser test: the secretariat imports delegates in the admin (refused file,
then a good one: preview, confirm) and downloads the budget for donors."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from delegations.models import Delegate
from tests.delegations.test_resources import DELEGATE_HEADER, delegate_row, to_csv
from tests.factories import DelegationFactory, MeetingFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def log_in(page, live_server):
    user = get_user_model().objects.create_user("sec", password=None, is_staff=True)
    # The database is flushed between browser tests, groups with it: give the
    # secretariat's rights on this app directly (import_delegates among them).
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="delegations")
    )
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


def upload(page, live_server, tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    page.goto(f"{live_server.url}/admin/delegations/delegate/import/")
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", label="csv")
    with page.expect_navigation():
        page.click("input[type=submit]")


def test_import_refused_then_confirmed_and_budget_download(
    page, live_server, screenshot, tmp_path
):
    meeting = MeetingFactory()
    DelegationFactory(
        meeting=meeting, country_code="KZ", name_en="Kazakhstan", funded_quota=3
    )
    log_in(page, live_server)

    bad = [delegate_row(n, funded="yes") for n in range(1, 5)]
    bad.append(delegate_row(5, phone="555", role="king"))
    upload(page, live_server, tmp_path, "bad.csv", to_csv(DELEGATE_HEADER, bad))
    problems = page.locator("#import-problems li").all_inner_texts()
    assert problems[0].startswith(
        "Row 5, column funded: Kazakhstan already has 3 funded delegate(s)"
    )
    assert problems[1:] == [
        "Row 6, column role: king is not one of: head, counter_terrorism, security, "
        "adviser, un_official, other.",
        "Row 6, column phone: Enter the phone number in international form with its "
        "country code, e.g. +993 12 345678.",
    ]
    assert page.locator("input[name=confirm]").count() == 0
    screenshot("refused")

    good = [delegate_row(1, funded="yes"), delegate_row(2)]
    upload(page, live_server, tmp_path, "good.csv", to_csv(DELEGATE_HEADER, good))
    assert page.locator("table.import-preview tr.new").count() == 2
    screenshot("preview")
    assert Delegate.objects.count() == 0
    page.click("input[name=confirm]")
    page.wait_for_url("**/admin/delegations/delegate/")
    assert "Import finished: 2 new" in page.inner_text(".messagelist")
    assert Delegate.objects.count() == 2

    page.goto(
        f"{live_server.url}/admin/delegations/delegation/budget/?meeting={meeting.pk}"
    )
    screenshot("budget")
    with page.expect_download() as download_info:
        page.click("#budget-export a >> text=CSV")
    download = download_info.value
    assert download.suggested_filename == f"budget-{meeting.slug}.csv"
    text = download.path().read_bytes().decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == [
        "Meeting",
        "Delegation",
        "Currency",
        "Legs",
        "Estimated",
        "Committed",
        "Total",
    ]


def test_import_refusals_in_russian(browser, live_server, tmp_path, request):
    from tests.e2e.conftest import ARTIFACTS

    meeting = MeetingFactory()
    DelegationFactory(meeting=meeting, country_code="KZ", name_en="Kazakhstan")
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    try:
        log_in(page, live_server)
        rows = [delegate_row(1, email="x@"), delegate_row(2, delegation="Atlantis")]
        upload(page, live_server, tmp_path, "bad.csv", to_csv(DELEGATE_HEADER, rows))
        problems = page.locator("#import-problems li").all_inner_texts()
        assert problems == [
            "Строка 2, столбец email: Введите правильный адрес электронной почты.",
            "Строка 3, столбец delegation: Atlantis не является делегацией "
            f"мероприятия {meeting.slug}; укажите её название на английском языке "
            "или код страны ISO.",
        ]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True
        )
    finally:
        context.close()
