"""Browser test: the secretariat imports delegates in the admin through a real
Celery worker (a refused file, then a good one: upload, the progress bar,
preview, confirm, progress again, result) and downloads the budget for donors.
"""

import csv
import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation

from delegations.models import Delegate, ImportJob
from tests.delegations.test_imports import worker_taking_this_tests_tasks
from tests.delegations.test_resources import DELEGATE_HEADER, delegate_row, to_csv
from tests.factories import DelegationFactory, MeetingFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

WAIT_MS = 120_000  # for the worker; the page itself polls every second


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker(media):
    """A real worker on a queue of its own, on this test's database and broker."""
    with worker_taking_this_tests_tasks(media, f"e2e-imports-{os.getpid()}") as worker:
        yield worker


def log_in(page, live_server):
    user = get_user_model().objects.create_user("sec", password=None, is_staff=True)
    # The database is flushed between browser tests, groups with it: give the
    # secretariat's rights on this app directly (import_delegates among them),
    # and the travel budget's view permission (the budget download).
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="delegations"),
        *Permission.objects.filter(
            content_type__app_label="travel", codename="view_entitlement"
        ),
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
    job = ImportJob.objects.latest("pk")
    assert page.url == f"{live_server.url}/admin/delegations/delegate/import/{job.pk}/"
    return job


@pytest.mark.services
def test_import_refused_then_confirmed_with_progress_and_budget_download(
    page, live_server, screenshot, tmp_path, worker
):
    meeting = MeetingFactory()
    DelegationFactory(
        meeting=meeting, country_code="KZ", name_en="Kazakhstan", funded_quota=3
    )
    log_in(page, live_server)

    bad = [delegate_row(n, funded="yes") for n in range(1, 5)]
    bad.append(delegate_row(5, phone="555", role="king"))
    upload(page, live_server, tmp_path, "bad.csv", to_csv(DELEGATE_HEADER, bad))
    # The page polls the job and reloads itself once the worker is done.
    page.wait_for_selector("#import-problems", timeout=WAIT_MS)
    problems = page.locator("#import-problems li").all_inner_texts()
    assert problems[0].startswith(
        "Row 5, column funded: Kazakhstan already has 3 funded delegates"
    )
    assert problems[1:] == [
        "Row 6, column role: king is not one of: head, counter_terrorism, security, "
        "adviser, un_official, other.",
        "Row 6, column phone: Enter the phone number in international form with its "
        "country code, e.g. +993 12 345678.",
    ]
    assert page.locator("input[name=confirm]").count() == 0
    screenshot("refused")

    # Enough rows for the worker to take a few seconds over each phase.
    good = [delegate_row(1, funded="yes")]
    good += [delegate_row(n) for n in range(2, 1501)]
    job = upload(page, live_server, tmp_path, "good.csv", to_csv(DELEGATE_HEADER, good))
    bar = page.locator("progress#import-progress")
    assert bar.count() == 1
    assert bar.get_attribute("aria-labelledby") == "import-progress-label"
    assert page.locator("#import-progress-label").inner_text() == "Checking the file"
    assert page.locator("#import-progress-text").get_attribute("role") == "status"
    screenshot("checking")
    page.wait_for_selector("#import-summary", timeout=WAIT_MS)
    assert page.locator("#import-summary").inner_text() == (
        "No row is refused. Confirming will import 1500 new and 0 updated rows; "
        "0 empty rows are skipped."
    )
    assert page.locator("table.import-preview tr.new").count() == 100
    assert page.locator("progress").count() == 0
    screenshot("preview")
    assert Delegate.objects.count() == 0

    with page.expect_navigation():
        page.click("input[name=confirm]")
    assert page.url == f"{live_server.url}/admin/delegations/delegate/import/{job.pk}/"
    page.wait_for_selector("#import-result", timeout=WAIT_MS)
    assert page.inner_text("#import-result") == (
        "Import finished: 1500 new, 0 updated, 0 skipped."
    )
    screenshot("imported")
    assert Delegate.objects.count() == 1500
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == ("done", 1500, 1500)

    page.goto(
        f"{live_server.url}/admin/travel/entitlement/budget/?meeting={meeting.pk}"
    )
    screenshot("budget")
    with page.expect_download() as download_info:
        page.click("#budget-export a >> text=CSV")
    download = download_info.value
    assert download.suggested_filename == f"travel-costs-{meeting.slug}.csv"
    text = download.path().read_bytes().decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == [
        "Budget line",
        "Meeting",
        "Delegation",
        "Delegate",
        "Cost line",
        "Currency",
        "Estimated",
        "Committed",
        "Paid",
    ]


def test_import_progress_page_without_javascript(browser, live_server, media):
    """With JavaScript off the job page refreshes itself (meta refresh)."""
    meeting = MeetingFactory()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server)
        user = get_user_model().objects.get(username="sec")
        job = ImportJob.objects.create(
            user=user,
            meeting=meeting,
            kind="delegates",
            file_name="f" * 32,
            file_format="csv",
            original_name="big.csv",
            status="queued",
        )
        url = f"{live_server.url}/admin/delegations/delegate/import/{job.pk}/"
        page.goto(url)
        assert page.inner_text("#import-progress-text") == (
            "Waiting for a worker to start."
        )
        # A worker takes it and is half-way: the next refresh shows it.
        ImportJob.objects.filter(pk=job.pk).update(
            status="refused",
            rows_total=4,
            rows_done=4,
            problem_count=1,
            problems=[{"row": 3, "column": "email", "message": "bad."}],
        )
        page.wait_for_selector("#import-problems", timeout=10_000)
        assert page.locator("#import-problems li").all_inner_texts() == [
            "Row 3, column email: bad."
        ]
    finally:
        context.close()


def test_import_refusals_in_russian(browser, live_server, tmp_path, request, media):
    # No worker here: the task runs in the web process when the upload commits.
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
        # The meeting by its name in the interface's language, not its slug.
        with translation.override("ru"):
            russian_name = str(meeting)
        assert problems == [
            "Строка 2, столбец email: Введите правильный адрес электронной почты.",
            "Строка 3, столбец delegation: Atlantis не является делегацией "
            f"встречи «{russian_name}»; укажите её название на английском языке "
            "или код страны ISO.",
        ]
        assert (
            page.locator("#content h2").first.inner_text()
            == "Ничего не будет импортировано"
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True
        )
    finally:
        context.close()
