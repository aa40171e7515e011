"""60,000 delegates imported through the production site, in Chromium.

The file that gave a 500 (gunicorn's 30 s timeout) when the preview ran inside
the request: a CSV of 60,000 valid delegates, under the 10 MB limit. Now the
upload returns at once, the worker checks and imports the file while the page
shows its progress, and every row is written; a file of the same size with
refused rows names each of them and writes nothing. The autouse clean_logs
fixture fails the test on any 5xx (a worker timeout among them) or traceback.

The rows come from bench/import_delegates.py (make_meeting, make_csv), so the
benchmark and this test import the same file. Counts are read through
`manage.py shell -c` in the production environment.
"""

import json

import pytest

from bench.import_delegates import make_csv
from delegations.resources.delegates import DELEGATE_COLUMNS
from tests.production.test_production_profile import log_in

pytestmark = [pytest.mark.browser, pytest.mark.services]

ROWS = 60_000
DELEGATIONS = 200
PHASE_MS = 30 * 60 * 1000  # the worker's time limit for one phase
PHONE = DELEGATE_COLUMNS.index("phone")


def make_meeting(site, slug: str) -> int:
    """Create the meeting and its delegations in the production database."""
    out = site.manage(
        "shell",
        "-c",
        "from bench.import_delegates import make_meeting; "
        f"print(make_meeting({DELEGATIONS}, slug={slug!r}).pk)",
    )
    return int(out.strip().splitlines()[-1])


def delegates_in(site, slug: str) -> int:
    out = site.manage(
        "shell",
        "-c",
        "from delegations.models import Delegate; "
        f"print(Delegate.objects.filter(meeting__slug={slug!r}).count())",
    )
    return int(out.strip().splitlines()[-1])


def job_figures(site, job_id: int) -> dict:
    """Return the job's status and how long its phase took in the worker."""
    out = site.manage(
        "shell",
        "-c",
        "import json; from delegations.models import ImportJob; "
        f"j = ImportJob.objects.get(pk={job_id}); "
        "print(json.dumps({'status': j.status, 'rows_done': j.rows_done, "
        "'rows_total': j.rows_total, "
        "'seconds': (j.finished_at - j.started_at).total_seconds()}))",
    )
    return json.loads(out.strip().splitlines()[-1])


def upload(page, site, tmp_path, meeting_pk: int, name: str, data: bytes) -> int:
    """Upload the file in the admin; return the job's id from the page's URL."""
    path = tmp_path / name
    path.write_bytes(data)
    page.goto(f"{site.url}/admin/delegations/delegate/import/")
    page.select_option("#id_meeting", value=str(meeting_pk))
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", label="csv")
    with page.expect_navigation():
        page.click("input[type=submit]")
    prefix = f"{site.url}/admin/delegations/delegate/import/"
    assert page.url.startswith(prefix), page.url
    return int(page.url[len(prefix) :].strip("/"))


def watch_progress(page, done_selector: str) -> list[int]:
    """Wait for done_selector while the bar moves; return the values it showed."""
    seen = []
    deadline_ms = PHASE_MS
    while page.locator(done_selector).count() == 0 and deadline_ms > 0:
        bar = page.locator("progress#import-progress")
        if bar.count():
            value = bar.get_attribute("value")
            if value is not None and (not seen or int(value) != seen[-1]):
                seen.append(int(value))
        page.wait_for_timeout(2000)
        deadline_ms -= 2000
    page.wait_for_selector(done_selector, timeout=1000)
    return seen


def test_sixty_thousand_delegates_previewed_and_imported(
    production_site, page, screenshot, tmp_path
):
    site = production_site
    slug = "import-large"
    meeting_pk = make_meeting(site, slug)
    data = make_csv(ROWS, DELEGATIONS)
    assert 5 * 1024 * 1024 < len(data) < 10 * 1024 * 1024
    log_in(page, site)

    job_id = upload(page, site, tmp_path, meeting_pk, "delegates.csv", data)
    assert page.locator("progress#import-progress").count() == 1
    screenshot("checking")
    seen = watch_progress(page, "#import-summary")
    assert page.inner_text("#import-summary") == (
        "No row is refused. Confirming will import 60000 new and 0 updated rows; "
        "0 empty rows are skipped."
    )
    assert page.locator("table.import-preview tr.new").count() == 100
    # The bar moved through the file, never backwards.
    assert seen == sorted(seen)
    assert [v for v in seen if 0 < v < ROWS] != []
    screenshot("preview")
    preview = job_figures(site, job_id)
    assert delegates_in(site, slug) == 0

    with page.expect_navigation():
        page.click("input[name=confirm]")
    seen = watch_progress(page, "#import-result")
    assert page.inner_text("#import-result") == (
        "Import finished: 60000 new, 0 updated, 0 skipped."
    )
    assert seen == sorted(seen)
    screenshot("imported")
    imported = job_figures(site, job_id)
    assert (imported["status"], imported["rows_done"], imported["rows_total"]) == (
        "done",
        ROWS,
        ROWS,
    )
    assert delegates_in(site, slug) == ROWS
    print(
        f"\n{ROWS} rows ({len(data) / 1024 / 1024:.1f} MB) in the production "
        f"worker: preview {preview['seconds']:.1f} s, "
        f"import {imported['seconds']:.1f} s"
    )


def test_sixty_thousand_rows_with_refusals_write_nothing(
    production_site, page, screenshot, tmp_path
):
    site = production_site
    slug = "import-large-refused"
    meeting_pk = make_meeting(site, slug)
    spoiled = set(range(599, ROWS, 600))  # 100 rows with an impossible phone

    def spoil(i, row):
        if i in spoiled:
            row[PHONE] = "555"
        return row

    data = make_csv(ROWS, DELEGATIONS, spoil=spoil)
    log_in(page, site)
    upload(page, site, tmp_path, meeting_pk, "refused.csv", data)
    watch_progress(page, "#import-problems")
    assert page.locator("#import-problems li").all_inner_texts() == [
        f"Row {i + 2}, column phone: Enter the phone number in international form "
        "with its country code, e.g. +993 12 345678."
        for i in sorted(spoiled)
    ]
    assert page.locator("input[name=confirm]").count() == 0
    screenshot("refused")
    assert delegates_in(site, slug) == 0
