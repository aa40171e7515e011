"""The admin's import (upload, the job page with its progress, preview, confirm),
and exports, through the test client; the worker's task
runs eagerly in this process when the request commits."""

import csv
import io
import os
import stat

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from delegations.models import Delegate, ImportJob
from delegations.spreadsheets import ProgressLog, import_tmp_dir
from tests.delegations.test_resources import (
    DELEGATE_HEADER,
    bomb_xlsx,
    delegate_row,
    to_csv,
    to_xlsx,
    written,
)
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    FlightLegFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/delegations/delegate/import/"
CSV, XLSX = "0", "1"  # the format choices, in delegations.spreadsheets.FORMATS


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english_after():
    # A request in Russian leaves Russian active in the thread.
    yield
    translation.activate("en")


@pytest.fixture
def tasks(django_capture_on_commit_callbacks, eager_celery):
    """Run the tasks a request queues, in this process, when it commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def secretary(client):
    user = get_user_model().objects.create_user("sec", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(user)
    return user


@pytest.fixture
def kazakhstan(meeting):
    return DelegationFactory(
        meeting=meeting, country_code="KZ", name_en="Kazakhstan", funded_quota=3
    )


def job_url(job, view=""):
    model = {"delegates": "delegate", "flights": "flightleg"}[job.kind]
    base = f"/admin/delegations/{model}/import/{job.pk}/"
    return base + (f"{view}/" if view and view != "refused.csv" else view)


def upload(client, tasks, meeting, data, *, name="delegates.csv", fmt=CSV, **extra):
    """Upload a file, let the worker's task run, and open the job page."""
    with tasks():
        response = client.post(
            IMPORT_URL,
            {
                "resource": "0",
                "meeting": meeting.pk,
                "format": fmt,
                "import_file": SimpleUploadedFile(name, data),
            },
            **extra,
        )
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    return client.get(response["Location"], **extra)


def confirm(client, tasks, page):
    job = page.context["job"]
    with tasks():
        response = client.post(job_url(job, "confirm"))
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    return client.get(response["Location"])


def test_import_upload_then_preview_then_confirm_writes_rows(
    client, tasks, secretary, meeting, kazakhstan
):
    before = written()
    page = upload(
        client,
        tasks,
        meeting,
        to_csv(DELEGATE_HEADER, [delegate_row(1), delegate_row(2)]),
    )
    assert page.status_code == 200
    job = page.context["job"]
    assert (job.status, job.user, job.meeting) == ("previewed", secretary, meeting)
    assert written() == before  # the preview is a dry run
    html = page.content.decode()
    assert html.count('<tr class="new">') == 2
    assert 'name="confirm"' in html
    assert "<progress" not in html
    stored = list(import_tmp_dir().glob("????????????????????????????????"))
    assert [path.name for path in stored] == [job.file_name]
    assert stat.S_IMODE(os.stat(stored[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(import_tmp_dir()).st_mode) == 0o700

    done = confirm(client, tasks, page)
    assert done.context["job"].status == "done"
    assert "Import finished: 2 new, 0 updated, 0 skipped." in done.content.decode()
    assert written() == (before[0] + 2, before[1] + 2, before[2], before[3])
    assert not (import_tmp_dir() / job.file_name).exists()


def test_import_xlsx_preview_then_confirm(
    client, tasks, secretary, meeting, kazakhstan
):
    data = to_xlsx(DELEGATE_HEADER, [delegate_row(1, funded=True)])
    page = upload(client, tasks, meeting, data, name="delegates.xlsx", fmt=XLSX)
    assert page.context["job"].status == "previewed"
    assert confirm(client, tasks, page).context["job"].status == "done"
    assert Delegate.objects.get().funded is True


def test_import_preview_lists_each_refused_row(
    client, tasks, secretary, meeting, kazakhstan
):
    before = written()
    rows = [
        delegate_row(1, funded="yes"),
        delegate_row(2, funded="yes"),
        delegate_row(3, funded="yes"),
        delegate_row(4, funded="yes", phone="555"),
        delegate_row(5, email="aidar1@mfa.example"),
    ]
    page = upload(client, tasks, meeting, to_csv(DELEGATE_HEADER, rows))
    html = page.content.decode()
    assert page.context["job"].status == "refused"
    assert page.context["may_confirm"] is False
    assert 'name="confirm"' not in html
    assert [str(p) for p in page.context["problems"]] == [
        "Row 5, column phone: Enter the phone number in international form with its "
        "country code, e.g. +993 12 345678.",
        # In the same pass: the row's funded place is past the quota too.
        "Row 5, column funded: Kazakhstan already has 3 funded delegates, its quota "
        "of 3: Aidar Nurlanov1, Aidar Nurlanov2, Aidar Nurlanov3. Unfund one of them "
        "first, or raise the quota.",
        "Row 6, column email: this email is already on row 2 of this file.",
    ]
    assert "<li>Row 5, column phone: Enter the phone number" in html
    assert "Nothing will be imported" in html
    assert "3 problems must be corrected in the file" in html
    assert written() == before


def test_import_page_lists_the_first_thousand_refusals_and_downloads_all(
    client, tasks, secretary, meeting, kazakhstan
):
    rows = [delegate_row(n, role="king") for n in range(1, 1203)]
    page = upload(client, tasks, meeting, to_csv(DELEGATE_HEADER, rows))
    assert page.context["job"].problem_count == 1202
    assert len(page.context["problems"]) == 1000
    assert "And 202 more problems, listed in the download below." in (
        page.content.decode()
    )
    download = client.get(job_url(page.context["job"], "refused.csv"))
    assert download.status_code == 200
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert len(lines) == 1203
    assert lines[0] == ["Row", "Column", "Problem"]
    assert lines[1202] == [
        "1203",
        "role",
        "king is not one of: head, counter_terrorism, security, adviser, "
        "un_official, other.",
    ]


def test_import_refusals_download_is_formula_safe(
    client, tasks, secretary, meeting, kazakhstan
):
    rows = [delegate_row(1, delegation="=HYPERLINK(1)")]
    page = upload(client, tasks, meeting, to_csv(DELEGATE_HEADER, rows))
    download = client.get(job_url(page.context["job"], "refused.csv"))
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert lines[1][1] == "delegation"
    assert lines[1][2].startswith("'=HYPERLINK(1) is not a delegation")


def test_import_confirm_refused_when_data_changed_since_preview(
    client, tasks, secretary, meeting, kazakhstan
):
    page = upload(
        client, tasks, meeting, to_csv(DELEGATE_HEADER, [delegate_row(1, funded="yes")])
    )
    assert page.context["job"].status == "previewed"
    # Meanwhile someone funds three delegates of the same delegation.
    for n in range(3):
        DelegateFactory(delegation=kazakhstan, funded=True, name_latin=f"Early {n}")
    before = written()
    done = confirm(client, tasks, page)
    assert done.context["job"].status == "refused"
    assert [p.column for p in done.context["problems"]] == ["funded"]
    assert "Nothing was imported" in done.content.decode()
    assert written() == before


def test_import_confirm_twice_says_why(client, tasks, secretary, meeting, kazakhstan):
    page = upload(client, tasks, meeting, to_csv(DELEGATE_HEADER, [delegate_row(1)]))
    confirm(client, tasks, page)
    again = client.post(job_url(page.context["job"], "confirm"), follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "This import cannot be confirmed: it is imported."
    ]
    assert Delegate.objects.count() == 1


def test_import_xml_bomb_refused_in_admin(
    client, tasks, secretary, meeting, kazakhstan
):
    before = written()
    page = upload(
        client,
        tasks,
        meeting,
        bomb_xlsx("xl/worksheets/sheet1.xml"),
        name="bomb.xlsx",
        fmt=XLSX,
    )
    assert page.context["job"].status == "refused"
    assert [str(p) for p in page.context["problems"]] == [
        "The XLSX file declares XML entities (a possible 'billion laughs' attack); "
        "it was refused and nothing was imported."
    ]
    assert written() == before


def test_import_too_large_file_refused_by_the_form(
    client, tasks, secretary, meeting, settings
):
    response = client.post(
        IMPORT_URL,
        {
            "resource": "0",
            "meeting": meeting.pk,
            "format": CSV,
            "import_file": SimpleUploadedFile("big.csv", b"x" * (10 * 1024 * 1024 + 1)),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [
        "The file is larger than 10 MB."
    ]
    assert ImportJob.objects.count() == 0


def test_import_in_russian_keeps_russian_refusals(
    client, tasks, secretary, meeting, kazakhstan
):
    rows = [delegate_row(1, email="x@")]
    page = upload(
        client, tasks, meeting, to_csv(DELEGATE_HEADER, rows), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert page.context["job"].language == "ru"
    assert [str(p) for p in page.context["problems"]] == [
        "Строка 2, столбец email: Введите правильный адрес электронной почты."
    ]
    assert "Ничего не будет импортировано" in page.content.decode()


def test_library_confirm_url_is_gone():
    # It imported the file inside the request; the job page's Confirm replaced it.
    for model in ("delegate", "flightleg"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:delegations_{model}_process_import")


# The job page while the worker runs -----------------------------------------------


def running_job(user, meeting, **fields):
    return ImportJob.objects.create(
        **{
            "user": user,
            "meeting": meeting,
            "kind": "delegates",
            "file_name": "d" * 32,
            "file_format": "csv",
            "original_name": "big.csv",
            "status": "running",
            "rows_total": 60000,
            "started_at": timezone.now(),
            **fields,
        }
    )


def test_job_page_shows_progress_bar_with_text_and_refresh(client, secretary, meeting):
    job = running_job(secretary, meeting)
    ProgressLog(job.file_name, "preview").start(60000)
    ProgressLog(job.file_name, "preview").report(1500, 60000)
    page = client.get(job_url(job))
    html = page.content.decode()
    assert (
        '<progress id="import-progress" aria-labelledby="import-progress-label" '
        'aria-describedby="import-progress-text" max="60000" value="1500">'
        "Checking row 1500 of 60000 (2%).</progress>"
    ) in html
    assert '<p id="import-progress-text" role="status">Checking row 1500' in html
    # Without JavaScript: a meta refresh and a link do what the script does.
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert f'<a href="{job_url(job)}" id="import-refresh">Refresh</a>' in html
    assert (
        '<script src="/static/delegations/import_progress.js" defer></script>' in html
    )
    assert f'data-status-url="{job_url(job, "status")}"' in html
    scripts = html.count("<script")
    assert scripts == html.count("<script src=")  # no inline script


def test_job_status_is_small_json(client, secretary, meeting):
    job = running_job(secretary, meeting, status="queued", rows_total=0)
    response = client.get(job_url(job, "status"))
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "status": "queued",
        "phase": "preview",
        "active": True,
        "done": 0,
        "total": 0,
        "message": "Waiting for a worker to start.",
    }
    job.status = "importing"
    job.phase = "confirm"
    job.rows_total = 60000
    job.save()
    ProgressLog(job.file_name, "confirm").start(60000)
    ProgressLog(job.file_name, "confirm").report(30000, 60000)
    assert client.get(job_url(job, "status")).json() == {
        "status": "importing",
        "phase": "confirm",
        "active": True,
        "done": 30000,
        "total": 60000,
        "message": "Importing row 30000 of 60000 (50%).",
    }


def test_job_status_in_russian(client, secretary, meeting):
    job = running_job(secretary, meeting, rows_total=0)
    response = client.get(job_url(job, "status"), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()["message"] == "Чтение файла."


def test_failed_job_shows_reason_and_retry(
    client, tasks, secretary, meeting, kazakhstan
):
    data = to_csv(DELEGATE_HEADER, [delegate_row(1)])
    job = running_job(
        secretary, meeting, status="failed", error="TimeLimitExceeded: 1860"
    )
    (import_tmp_dir()).mkdir(parents=True, exist_ok=True)
    (import_tmp_dir() / job.file_name).write_bytes(data)
    html = client.get(job_url(job)).content.decode()
    assert "The worker gave up: TimeLimitExceeded: 1860" in html
    assert 'name="retry"' in html
    with tasks():
        response = client.post(job_url(job, "retry"))
    assert response["Location"] == job_url(job)
    job.refresh_from_db()
    assert (job.status, job.error) == ("previewed", "")


def test_stalled_job_can_be_retried(client, tasks, secretary, meeting):
    job = running_job(
        secretary, meeting, started_at=timezone.now() - timezone.timedelta(hours=1)
    )
    page = client.get(job_url(job))
    assert page.context["stalled"] is True
    assert "The worker stopped without finishing; retry the import." in (
        page.content.decode()
    )
    assert client.get(job_url(job, "status")).json()["active"] is False
    response = client.post(job_url(job, "retry"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "queued"


def test_job_admin_lists_jobs_and_retries_failed_ones(
    client, tasks, secretary, meeting, kazakhstan
):
    failed = running_job(secretary, meeting, status="failed", error="Boom")
    (import_tmp_dir()).mkdir(parents=True, exist_ok=True)
    (import_tmp_dir() / failed.file_name).write_bytes(
        to_csv(DELEGATE_HEADER, [delegate_row(1)])
    )
    listing = client.get("/admin/delegations/importjob/")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [failed]
    with tasks():
        response = client.post(
            "/admin/delegations/importjob/",
            {"action": "retry", "_selected_action": [failed.pk]},
            follow=True,
        )
    assert [str(m) for m in response.context["messages"]] == [
        "Imports queued again: 1."
    ]
    failed.refresh_from_db()
    assert failed.status == "previewed"


def test_import_page_lists_recent_imports(client, secretary, meeting):
    job = running_job(secretary, meeting)
    html = client.get(IMPORT_URL).content.decode()
    assert f'<a href="{job_url(job)}">big.csv</a>' in html


def staff(client, codenames):
    user = get_user_model().objects.create_user("clerk", password=None, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="delegations", codename__in=codenames
        )
    )
    client.force_login(user)
    return user


def test_import_needs_the_import_permission(client, meeting):
    # Full rights on delegates and flights, but not delegations.import_delegates.
    staff(
        client,
        [
            f"{action}_{model}"
            for action in ("view", "add", "change", "delete")
            for model in ("delegate", "flightleg")
        ],
    )
    for url in (
        IMPORT_URL,
        "/admin/delegations/flightleg/import/",
    ):
        assert client.get(url).status_code == 403
    other = get_user_model().objects.create_user("other", is_staff=True)
    job = running_job(other, MeetingFactory(), status="previewed")
    assert client.get(job_url(job)).status_code == 403
    assert client.get(job_url(job, "status")).status_code == 403
    assert client.post(job_url(job, "confirm")).status_code == 403
    # Export stays open to whoever may view.
    assert client.get("/admin/delegations/delegate/export/").status_code == 200


def test_own_job_visible_without_the_permission_but_not_confirmed(client, meeting):
    clerk = staff(client, ["view_delegate"])
    job = running_job(clerk, meeting, status="previewed")
    assert client.get(job_url(job)).status_code == 200
    assert client.get(job_url(job, "status")).status_code == 200
    assert client.post(job_url(job, "confirm")).status_code == 403
    assert 'name="confirm"' not in client.get(job_url(job)).content.decode()


def test_job_of_the_other_kind_or_missing_is_404(client, secretary, meeting):
    job = running_job(secretary, meeting)
    assert (
        client.get(f"/admin/delegations/flightleg/import/{job.pk}/").status_code == 404
    )
    assert client.get("/admin/delegations/delegate/import/99999/").status_code == 404


def test_import_page_opens_with_the_permission(client, secretary):
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert "the header is row 1" in response.content.decode()
    assert client.get("/admin/delegations/flightleg/import/").status_code == 200


def test_export_needs_view_permission(client):
    staff(client, ["view_delegation"])
    assert client.get("/admin/delegations/delegate/export/").status_code == 403
    assert client.get("/admin/delegations/flightleg/export/").status_code == 403


def test_admin_export_csv_neutralised_with_bom(client, secretary, kazakhstan):
    DelegateFactory(delegation=kazakhstan, dietary_needs="=1+2", email="a@mfa.example")
    response = client.post(
        "/admin/delegations/delegate/export/",
        {"format": CSV, "resource": "0"}
        | {
            f"delegateresource_{c}": "on"
            for c in ["id", "delegation", "email", "dietary_needs"]
        },
    )
    assert response.status_code == 200
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0]["Dietary needs"] == "'=1+2"
    assert rows[0]["Delegation"] == "Kazakhstan"


def test_flight_changelist_filters(client, secretary, kazakhstan):
    leg = FlightLegFactory(delegate=DelegateFactory(delegation=kazakhstan))
    FlightLegFactory(status="requested")
    response = client.get(
        "/admin/delegations/flightleg/",
        {"status": "ticketed", "delegate__delegation__id__exact": kazakhstan.pk},
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [leg]
    # On the airport's clock, by the one date rule.
    assert "12 June 2017, 09:10 Astana time (UTC+6)" in response.content.decode()
