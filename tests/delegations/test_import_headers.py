"""Exports carry human, translated headers and a file name that says what they
hold; imports read those headers in either language, and the machine names of
earlier exports."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from delegations.models import Delegate
from delegations.resources import import_file
from tests.delegations.test_resources import DELEGATE_HEADER, delegate_row, refused
from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory

pytestmark = pytest.mark.django_db
CSV = "0"  # the export form's first format


@pytest.fixture(autouse=True)
def english_after():
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


def export(client, model, resource_fields, lang="en"):
    return client.post(
        f"/admin/delegations/{model}/export/",
        {"format": CSV, "resource": "0"}
        | {f"{model}resource_{c}": "on" for c in resource_fields},
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def test_export_in_russian_then_import_round_trips(
    client, secretary, meeting, kazakhstan
):
    DelegateFactory(
        delegation=kazakhstan,
        email="a@mfa.example",
        name_cyrillic="Айдар Нурланов",
        phone="+99312345678",
    )
    response = export(client, "delegate", ["id", "meeting", *DELEGATE_HEADER], "ru")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:5] == [
        "ID",
        "Встреча",
        "Делегация",
        "Имя (латиницей)",
        "Имя (кириллицей)",
    ]
    outcome = import_file(
        response.content, kind="delegates", file_format="csv", meeting=meeting
    )
    assert refused(outcome) == []
    assert outcome.written == {"new": 0, "update": 1}
    assert Delegate.objects.get().name_cyrillic == "Айдар Нурланов"


def test_export_headers_in_english(client, secretary, kazakhstan):
    DelegateFactory(delegation=kazakhstan)
    response = export(client, "delegate", ["name_latin", "preferred_language"])
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["Name (Latin script)", "Preferred language"]


def test_export_file_is_named_after_the_meeting_and_what_it_holds(
    client, secretary, meeting, kazakhstan
):
    delegate = DelegateFactory(delegation=kazakhstan)
    FlightLegFactory(delegate=delegate)
    # The admin works on the meeting's clock (its middleware activates the
    # meeting's zone), so near midnight the day is the meeting's.
    day = timezone.localdate(timezone=meeting.tzinfo).isoformat()
    response = export(client, "delegate", ["email"])
    assert response["Content-Disposition"] == (
        f'attachment; filename="{meeting.slug}-delegates-{day}.csv"'
    )
    response = export(client, "flightleg", ["carrier"])
    assert response["Content-Disposition"] == (
        f'attachment; filename="{meeting.slug}-flights-{day}.csv"'
    )


def test_export_of_several_meetings_says_so(client, secretary, kazakhstan):
    DelegateFactory(delegation=kazakhstan)
    DelegateFactory()  # another meeting
    response = export(client, "delegate", ["email"])
    assert 'filename="all-meetings-delegates-' in response["Content-Disposition"]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_import_reads_human_headers_in_either_language(meeting, kazakhstan, lang):
    with translation.override(lang):
        from delegations.resources import DelegateResource

        labels = [
            str(DelegateResource.column_labels[column]) for column in DELEGATE_HEADER
        ]
    rows = [delegate_row(1, phone="12345")]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label.upper() for label in labels])  # any case
    writer.writerows([[row[c] for c in DELEGATE_HEADER] for row in rows])
    with translation.override("en"):
        outcome = import_file(
            out.getvalue().encode(),
            kind="delegates",
            file_format="csv",
            meeting=meeting,
        )
    # A refusal names the column as the file spells it.
    phone = "PHONE" if lang == "en" else "ТЕЛЕФОН"
    assert refused(outcome) == [
        f"Row 2, column {phone}: Enter the phone number in international form "
        "with its country code, e.g. +993 12 345678."
    ]
