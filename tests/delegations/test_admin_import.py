"""The admin's import (upload, preview, confirm), exports and the budget download,
through the test client."""

import csv
import io
import os
import stat

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from delegations.models import Delegate, FlightLeg
from delegations.spreadsheets import import_tmp_dir
from tests.delegations.test_resources import (
    DELEGATE_HEADER,
    bomb_xlsx,
    delegate_row,
    to_csv,
    to_xlsx,
    written,
)
from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/delegations/delegate/import/"
CONFIRM_URL = "/admin/delegations/delegate/process_import/"
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


def upload(client, meeting, data, *, name="delegates.csv", fmt=CSV):
    return client.post(
        IMPORT_URL,
        {
            "resource": "0",
            "meeting": meeting.pk,
            "format": fmt,
            "import_file": SimpleUploadedFile(name, data),
        },
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(CONFIRM_URL, data)


def test_import_preview_then_confirm_writes_rows(
    client, secretary, meeting, kazakhstan
):
    before = written()
    preview = upload(
        client, meeting, to_csv(DELEGATE_HEADER, [delegate_row(1), delegate_row(2)])
    )
    assert preview.status_code == 200
    assert preview.context["result"].problems == []
    assert written() == before  # the preview is a dry run
    stored = list(import_tmp_dir().iterdir())
    assert len(stored) == 1
    assert stat.S_IMODE(os.stat(stored[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(import_tmp_dir()).st_mode) == 0o700

    done = confirm(client, preview)
    assert done.status_code == 302
    assert done["Location"] == "/admin/delegations/delegate/"
    assert written() == (before[0] + 2, before[1] + 2, before[2], before[3])
    assert list(import_tmp_dir().iterdir()) == []


def test_import_xlsx_preview_then_confirm(client, secretary, meeting, kazakhstan):
    data = to_xlsx(DELEGATE_HEADER, [delegate_row(1, funded=True)])
    preview = upload(client, meeting, data, name="delegates.xlsx", fmt=XLSX)
    assert preview.context["result"].problems == []
    assert confirm(client, preview).status_code == 302
    assert Delegate.objects.get().funded is True


def test_import_preview_lists_each_refused_row(client, secretary, meeting, kazakhstan):
    before = written()
    rows = [
        delegate_row(1, funded="yes"),
        delegate_row(2, funded="yes"),
        delegate_row(3, funded="yes"),
        delegate_row(4, funded="yes", phone="555"),
        delegate_row(5, email="aidar1@mfa.example"),
    ]
    preview = upload(client, meeting, to_csv(DELEGATE_HEADER, rows))
    html = preview.content.decode()
    assert (
        "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    )
    problems = [str(p) for p in preview.context["result"].problems]
    assert problems == [
        "Row 5, column phone: Enter the phone number in international form with its "
        "country code, e.g. +993 12 345678.",
        "Row 6, column email: this email is already on row 2 of this file.",
    ]
    assert "Row 5, column phone" in html
    assert "Nothing will be imported" in html
    assert written() == before


def test_import_confirm_refuses_when_data_changed_since_preview(
    client, secretary, meeting, kazakhstan
):
    preview = upload(
        client, meeting, to_csv(DELEGATE_HEADER, [delegate_row(1, funded="yes")])
    )
    assert preview.context["result"].problems == []
    # Meanwhile someone funds three delegates of the same delegation.
    for n in range(3):
        DelegateFactory(delegation=kazakhstan, funded=True, name_latin=f"Early {n}")
    before = written()
    done = confirm(client, preview)
    assert done.status_code == 200
    assert [p.column for p in done.context["result"].problems] == ["funded"]
    assert "Nothing was imported" in done.content.decode()
    assert written() == before


def test_import_xml_bomb_refused_in_admin(client, secretary, meeting, kazakhstan):
    before = written()
    preview = upload(
        client,
        meeting,
        bomb_xlsx("xl/worksheets/sheet1.xml"),
        name="bomb.xlsx",
        fmt=XLSX,
    )
    assert preview.status_code == 200
    assert preview.context["form"].errors["import_file"] == [
        "The XLSX file declares XML entities (a possible 'billion laughs' attack); "
        "it was refused and nothing was imported."
    ]
    assert written() == before


def test_import_confirm_refuses_foreign_file_name(client, secretary, meeting):
    response = client.post(
        CONFIRM_URL,
        {
            "import_file_name": "../../dialogue.sqlite3",
            "original_file_name": "x.csv",
            "format": CSV,
            "resource": "0",
            "meeting": meeting.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["confirm_form"].errors["import_file_name"] == [
        "The import file is no longer available."
    ]


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
    assert client.post(CONFIRM_URL, {}).status_code == 403
    # Export stays open to whoever may view.
    assert client.get("/admin/delegations/delegate/export/").status_code == 200


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
    assert rows[0]["dietary_needs"] == "'=1+2"
    assert rows[0]["delegation"] == "Kazakhstan"


def test_flight_changelist_filters(client, secretary, kazakhstan):
    leg = FlightLegFactory(delegate=DelegateFactory(delegation=kazakhstan))
    FlightLegFactory(status="requested")
    response = client.get(
        "/admin/delegations/flightleg/",
        {"status": "ticketed", "delegate__delegation__id__exact": kazakhstan.pk},
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [leg]
    assert "2017-06-12 09:10 NQZ" in response.content.decode()


# Budget for donors --------------------------------------------------------------


def test_budget_page_links_the_exports(client, secretary, meeting):
    html = client.get(
        "/admin/delegations/delegation/budget/", {"meeting": meeting.pk}
    ).content.decode()
    assert (
        f"/admin/delegations/delegation/budget/export.csv?meeting={meeting.pk}" in html
    )
    assert (
        f"/admin/delegations/delegation/budget/export.xlsx?meeting={meeting.pk}" in html
    )


def budget_world(kazakhstan):
    funded = DelegateFactory(delegation=kazakhstan, funded=True)
    FlightLegFactory(delegate=funded, status="ticketed", fare="412.00")
    FlightLegFactory(delegate=funded, status="requested", fare="380.00")
    FlightLegFactory(delegate=funded, status="ticketed", fare="100.00", currency="EUR")
    FlightLegFactory(delegate=DelegateFactory(delegation=kazakhstan), fare="999.00")
    kazakhstan.name_en = "=Kazakhstan"  # a hostile name must not become a formula
    kazakhstan.save()


def test_budget_export_csv(client, secretary, meeting, kazakhstan):
    budget_world(kazakhstan)
    response = client.get(
        "/admin/delegations/delegation/budget/export.csv", {"meeting": meeting.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="budget-{meeting.slug}.csv"'
    )
    rows = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""))
    )
    assert rows == [
        [
            "Meeting",
            "Delegation",
            "Currency",
            "Legs",
            "Estimated",
            "Committed",
            "Total",
        ],
        [meeting.slug, "'=Kazakhstan", "EUR", "1", "0", "100.00", "100.00"],
        [meeting.slug, "'=Kazakhstan", "USD", "2", "380.00", "412.00", "792.00"],
        [meeting.slug, "Total", "EUR", "1", "0", "100.00", "100.00"],
        [meeting.slug, "Total", "USD", "2", "380.00", "412.00", "792.00"],
    ]


def test_budget_export_xlsx(client, secretary, meeting, kazakhstan):
    budget_world(kazakhstan)
    response = client.get(
        "/admin/delegations/delegation/budget/export.xlsx", {"meeting": meeting.pk}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == [
        "Meeting",
        "Delegation",
        "Currency",
        "Legs",
        "Estimated",
        "Committed",
        "Total",
    ]
    assert values[2] == [meeting.slug, "'=Kazakhstan", "USD", 2, 380, 412, 792]
    assert values[4] == [meeting.slug, "Total", "USD", 2, 380, 412, 792]


def test_budget_export_in_russian(client, secretary, meeting, kazakhstan):
    budget_world(kazakhstan)
    response = client.get(
        "/admin/delegations/delegation/budget/export.csv",
        {"meeting": meeting.pk},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header == "Встреча,Делегация,Валюта,Рейсы,Предварительно,Обязательства,Итого"
    assert FlightLeg.objects.count() == 4
