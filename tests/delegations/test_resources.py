"""Import and export of delegates and flights: every refused row named by row,
column and rule, nothing written when any row fails, formula-safe exports, and
XLSX read through defusedxml."""

import csv
import datetime
import io
import os
import stat
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.db import connection
from django.utils import translation

from delegations.models import Delegate, FlightLeg
from delegations.resources import (
    DelegateResource,
    FlightLegResource,
    RowProblem,
    import_file,
)
from delegations.resources.delegates import DELEGATE_COLUMNS
from delegations.spreadsheets import (
    FORMULA_PREFIXES,
    PrivateImportStorage,
    SafeCSV,
    SafeXLSX,
    UnreadableFile,
    import_tmp_dir,
)
from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


DELEGATE_HEADER = list(DELEGATE_COLUMNS)
FLIGHT_HEADER = [
    "delegate_email",
    "carrier",
    "flight_number",
    "from_airport",
    "departs_local",
    "to_airport",
    "arrives_local",
    "status",
    "booking_reference",
    "fare",
    "currency",
]


def delegate_row(n, **changes):
    row = {
        "delegation": "KZ",
        "name_latin": f"Aidar Nurlanov{n}",
        "name_cyrillic": f"Айдар Нурланов{n}",
        "position_en": "Adviser",
        "position_ru": "Советник",
        "role": "adviser",
        "email": f"aidar{n}@mfa.example",
        "phone": "+7 7172 12 34 56",
        "preferred_language": "ru",
        "funded": "no",
        "dietary_needs": "",
        "accessibility_needs": "",
    }
    row.update(changes)
    return row


def flight_row(email, **changes):
    row = {
        "delegate_email": email,
        "carrier": "Air Astana",
        "flight_number": "KC 127",
        "from_airport": "NQZ",
        "departs_local": "2017-06-12 09:10",
        "to_airport": "ASB",
        "arrives_local": "2017-06-12 10:55",
        "status": "ticketed",
        "booking_reference": "XK4J2P",
        "fare": "412.00",
        "currency": "USD",
    }
    row.update(changes)
    return row


def to_csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def to_xlsx(header, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def written():
    """Every table an import may touch, counted."""
    return (
        Delegate.objects.count(),
        Delegate.history.count(),
        FlightLeg.objects.count(),
        FlightLeg.history.count(),
    )


@pytest.fixture
def kazakhstan(meeting):
    return DelegationFactory(
        meeting=meeting, country_code="KZ", name_en="Kazakhstan", funded_quota=3
    )


@pytest.fixture
def kyrgyzstan(meeting):
    return DelegationFactory(
        meeting=meeting, country_code="KG", name_en="Kyrgyzstan", funded_quota=3
    )


def import_delegates(meeting, rows, *, dry_run=False, file_format="csv", **kw):
    encode = to_csv if file_format == "csv" else to_xlsx
    return import_file(
        encode(DELEGATE_HEADER, rows),
        kind="delegates",
        file_format=file_format,
        meeting=meeting,
        dry_run=dry_run,
        **kw,
    )


def import_flights(meeting, rows, *, dry_run=False, file_format="csv"):
    encode = to_csv if file_format == "csv" else to_xlsx
    return import_file(
        encode(FLIGHT_HEADER, rows),
        kind="flights",
        file_format=file_format,
        meeting=meeting,
        dry_run=dry_run,
    )


def refused(outcome):
    return [str(problem) for problem in outcome.problems]


# Good files -----------------------------------------------------------------


def test_import_good_csv_creates_delegates(meeting, kazakhstan, kyrgyzstan):
    rows = [
        delegate_row(1, funded="yes", role="head"),
        delegate_row(2, delegation="Kyrgyzstan", preferred_language="English"),
        delegate_row(3, delegation="kg", role="Adviser"),
    ]
    before = written()
    outcome = import_delegates(meeting, rows)
    assert outcome.problems == []
    assert outcome.written == {"new": 3, "update": 0}
    assert written() == (before[0] + 3, before[1] + 3, before[2], before[3])
    first = Delegate.objects.get(email="aidar1@mfa.example")
    assert (first.delegation, first.funded, first.role, first.phone) == (
        kazakhstan,
        True,
        "head",
        "+77172123456",
    )
    assert first.meeting == meeting
    second = Delegate.objects.get(email="aidar2@mfa.example")
    assert (second.delegation, second.preferred_language) == (kyrgyzstan, "en")


def test_import_good_xlsx_creates_delegates_and_flights(meeting, kazakhstan):
    rows = [delegate_row(1, funded=True), delegate_row(2, phone=None)]
    outcome = import_delegates(meeting, rows, file_format="xlsx")
    assert outcome.problems == []
    assert Delegate.objects.filter(meeting=meeting).count() == 2
    flights = [
        flight_row("aidar1@mfa.example"),
        flight_row(
            "AIDAR1@mfa.example",
            flight_number="T5 601",
            carrier="Turkmenistan Airlines",
            from_airport="ASB",
            to_airport="NQZ",
            departs_local=datetime.datetime(2017, 6, 14, 8, 0),
            arrives_local=datetime.datetime(2017, 6, 14, 11, 45),
            fare=380.5,
        ),
    ]
    outcome = import_flights(meeting, flights, file_format="xlsx")
    assert outcome.problems == []
    outbound, inbound = FlightLeg.objects.order_by("departs_at")
    # Astana is UTC+6 in 2017, Ashgabat UTC+5.
    assert outbound.departs_at == datetime.datetime(
        2017, 6, 12, 3, 10, tzinfo=datetime.UTC
    )
    assert outbound.arrives_at == datetime.datetime(
        2017, 6, 12, 5, 55, tzinfo=datetime.UTC
    )
    assert inbound.departs_at == datetime.datetime(
        2017, 6, 14, 3, 0, tzinfo=datetime.UTC
    )
    assert inbound.fare == Decimal("380.50")
    assert inbound.delegate.email == "aidar1@mfa.example"


def test_import_existing_email_updates_the_delegate(meeting, kazakhstan):
    delegate = DelegateFactory(
        delegation=kazakhstan, email="aidar1@mfa.example", phone=""
    )
    before = written()
    outcome = import_delegates(meeting, [delegate_row(1, phone="+99312345678")])
    assert outcome.problems == []
    assert outcome.written == {"new": 0, "update": 1}
    delegate.refresh_from_db()
    assert (delegate.phone, delegate.name_latin) == ("+99312345678", "Aidar Nurlanov1")
    assert written()[0] == before[0]


def test_import_dry_run_writes_nothing(meeting, kazakhstan):
    before = written()
    outcome = import_delegates(meeting, [delegate_row(1)], dry_run=True)
    assert outcome.problems == []
    assert outcome.result.totals["new"] == 1
    assert written() == before


def test_import_meeting_column_names_the_meeting(meeting, kazakhstan):
    data = to_csv(
        ["meeting", *DELEGATE_HEADER], [{"meeting": meeting.slug, **delegate_row(1)}]
    )
    outcome = import_file(data, kind="delegates", file_format="csv")
    assert outcome.problems == []
    assert Delegate.objects.get(email="aidar1@mfa.example").meeting == meeting


def test_import_flight_again_updates_the_leg(meeting, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan, email="aidar1@mfa.example")
    import_flights(meeting, [flight_row(delegate.email, status="booked")])
    outcome = import_flights(meeting, [flight_row(delegate.email, status="ticketed")])
    assert outcome.written == {"new": 0, "update": 1}
    assert list(FlightLeg.objects.values_list("status", flat=True)) == ["ticketed"]


def test_export_then_import_round_trips(meeting, kazakhstan):
    DelegateFactory(delegation=kazakhstan, email="a@mfa.example", phone="+99312345678")
    exported = SafeCSV().export_data(DelegateResource().export(Delegate.objects.all()))
    before = written()
    outcome = import_file(exported.encode(), kind="delegates", file_format="csv")
    assert outcome.problems == []
    assert outcome.written == {"new": 0, "update": 1}
    assert written()[0] == before[0]
    assert Delegate.objects.get().phone == "+99312345678"


# Each kind of bad row: a clear message, and nothing written ------------------


def assert_refused(outcome, before, expected):
    assert refused(outcome) == expected
    assert written() == before


def test_import_unknown_delegation_refused(meeting, kazakhstan):
    before = written()
    outcome = import_delegates(
        meeting, [delegate_row(1), delegate_row(2, delegation="Atlantis")]
    )
    assert_refused(
        outcome,
        before,
        [
            "Row 3, column delegation: Atlantis is not a delegation of "
            f"{meeting}; give its English name or ISO country code."
        ],
    )


def test_import_bad_role_refused(meeting, kazakhstan):
    before = written()
    outcome = import_delegates(meeting, [delegate_row(1), delegate_row(2, role="king")])
    assert_refused(
        outcome,
        before,
        [
            "Row 3, column role: king is not one of: head, counter_terrorism, "
            "security, adviser, un_official, other."
        ],
    )


def test_import_bad_phone_refused(meeting, kazakhstan):
    before = written()
    outcome = import_delegates(
        meeting, [delegate_row(1, phone="12345"), delegate_row(2, phone="+7 000")]
    )
    assert_refused(
        outcome,
        before,
        [
            "Row 2, column phone: Enter the phone number in international form "
            "with its country code, e.g. +993 12 345678.",
            "Row 3, column phone: +7 000 is not a valid phone number.",
        ],
    )


def test_import_invalid_email_refused(meeting, kazakhstan):
    before = written()
    outcome = import_delegates(
        meeting, [delegate_row(1), delegate_row(2, email="nobody@")]
    )
    assert_refused(
        outcome, before, ["Row 3, column email: Enter a valid email address."]
    )


def test_import_duplicate_email_in_file_refused(meeting, kazakhstan):
    before = written()
    outcome = import_delegates(
        meeting,
        [
            delegate_row(1),
            delegate_row(2),
            delegate_row(3, email="Aidar1@mfa.example", name_latin="Someone Else"),
        ],
    )
    assert_refused(
        outcome,
        before,
        ["Row 4, column email: this email is already on row 2 of this file."],
    )


def test_import_duplicate_email_against_existing_refused(
    meeting, kazakhstan, kyrgyzstan
):
    DelegateFactory(
        delegation=kyrgyzstan, email="taken@mfa.example", name_latin="Bakyt Osmonov"
    )
    other = DelegateFactory(delegation=kazakhstan, email="mine@mfa.example")
    before = written()
    # By email: the address belongs to a delegate of another delegation.
    outcome = import_delegates(meeting, [delegate_row(1, email="taken@mfa.example")])
    assert_refused(
        outcome,
        before,
        [
            "Row 2, column email: another delegate of this meeting has this email: "
            "Bakyt Osmonov of Kyrgyzstan. An import does not move a delegate to "
            "another delegation."
        ],
    )
    # By id: changing a delegate's email to one another delegate has.
    data = to_csv(
        ["id", *DELEGATE_HEADER],
        [{"id": other.pk, **delegate_row(1, email="taken@mfa.example")}],
    )
    outcome = import_file(data, kind="delegates", file_format="csv", meeting=meeting)
    assert_refused(
        outcome,
        before,
        [
            "Row 2, column email: Bakyt Osmonov (Kyrgyzstan) already has this email "
            "at this meeting."
        ],
    )


def test_import_fourth_funded_delegate_refused(meeting, kazakhstan):
    DelegateFactory(delegation=kazakhstan, funded=True, name_latin="Erlan Karin")
    before = written()
    outcome = import_delegates(
        meeting,
        [
            delegate_row(1, funded="yes"),
            delegate_row(2, funded="yes"),
            delegate_row(3, funded="no"),
            delegate_row(4, funded="yes"),
        ],
    )
    assert_refused(
        outcome,
        before,
        [
            "Row 5, column funded: Kazakhstan already has 3 funded delegates, its "
            "quota of 3: Erlan Karin, Aidar Nurlanov1, Aidar Nurlanov2. Unfund one "
            "of them first, or raise the quota."
        ],
    )
    assert Delegate.objects.filter(funded=True).count() == 1


def test_import_unknown_airport_refused(meeting, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan)
    before = written()
    outcome = import_flights(
        meeting,
        [
            flight_row(delegate.email),
            flight_row(delegate.email, from_airport="XXX", flight_number="KC 1"),
        ],
    )
    assert_refused(
        outcome,
        before,
        ["Row 3, column from_airport: XXX is not a known IATA airport code."],
    )


def test_import_arrival_before_departure_refused(meeting, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan)
    before = written()
    # 09:10 in Astana (03:10 UTC) to 08:00 in Ashgabat (03:00 UTC).
    outcome = import_flights(
        meeting, [flight_row(delegate.email, arrives_local="2017-06-12 08:00")]
    )
    assert_refused(
        outcome,
        before,
        [
            "Row 2, column arrives_local: The flight arrives before it departs once "
            "both local times are converted to UTC (2017-06-12 03:10 → "
            "2017-06-12 03:00 UTC)."
        ],
    )


def test_import_bad_currency_refused(meeting, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan)
    before = written()
    outcome = import_flights(meeting, [flight_row(delegate.email, currency="XYZ")])
    assert_refused(
        outcome,
        before,
        [
            "Row 2, column currency: XYZ is not an ISO 4217 currency code such as "
            "USD or EUR."
        ],
    )


def test_import_bad_date_format_refused(meeting, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan)
    before = written()
    outcome = import_flights(
        meeting, [flight_row(delegate.email, departs_local="12/06/2017 9:10")]
    )
    assert_refused(
        outcome,
        before,
        [
            "Row 2, column departs_local: 12/06/2017 9:10 is not a local date and "
            "time such as 2017-06-12 09:10 (or 2017-10-29 02:30 +01:00 with its "
            "offset from UTC)."
        ],
    )


def test_import_unknown_delegate_email_and_duplicate_leg_refused(meeting, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan)
    before = written()
    outcome = import_flights(
        meeting,
        [
            flight_row(delegate.email),
            flight_row("ghost@mfa.example"),
            flight_row(delegate.email, flight_number="kc 127"),
        ],
    )
    assert_refused(
        outcome,
        before,
        [
            f"Row 3, column delegate_email: No delegate of {meeting} has the "
            "email ghost@mfa.example.",
            "Row 4, column flight_number: this delegate's flight is already on row 2 "
            "of this file.",
        ],
    )


def test_import_unknown_and_missing_columns_refused(meeting, kazakhstan):
    header = [c for c in DELEGATE_HEADER if c != "role"] + ["fundd"]
    rows = [{**delegate_row(1), "fundd": "yes"}]
    rows[0].pop("role")
    before = written()
    outcome = import_file(
        to_csv(header, rows), kind="delegates", file_format="csv", meeting=meeting
    )
    problems = refused(outcome)
    assert problems[0].startswith(
        "Row 1, column fundd: this is not a column of the import; the columns are ID, "
        "Meeting, Delegation, Name (Latin script),"
    )
    assert problems[1] == "Row 1, column Role: the file has no such column."
    assert written() == before


def test_import_without_meeting_refused(kazakhstan):
    before = written()
    outcome = import_file(
        to_csv(DELEGATE_HEADER, [delegate_row(1)]), kind="delegates", file_format="csv"
    )
    assert_refused(
        outcome,
        before,
        [
            "Row 2, column meeting: Say which meeting: fill the meeting column or "
            "choose the meeting on the import page."
        ],
    )


def test_row_problem_without_column_reads_plainly():
    assert str(RowProblem(4, "", "refused")) == "Row 4: refused"
    assert str(RowProblem(None, "", "unreadable")) == "unreadable"


def test_import_blank_rows_are_skipped(meeting, kazakhstan):
    blank = dict.fromkeys(DELEGATE_HEADER, "")
    outcome = import_delegates(meeting, [delegate_row(1), blank, delegate_row(2)])
    assert outcome.problems == []
    assert Delegate.objects.count() == 2


# Exports: formulae neutralised -------------------------------------------------


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_export_neutralises_formula_csv_and_xlsx(meeting, kazakhstan, prefix):
    payload = f'{prefix}HYPERLINK("http://evil.example")'
    DelegateFactory(delegation=kazakhstan, dietary_needs=payload, email="a@mfa.example")
    dataset = DelegateResource().export(Delegate.objects.all())
    csv_text = SafeCSV().export_data(dataset)
    rows = list(csv.DictReader(io.StringIO(csv_text, newline="")))
    assert rows[0]["Dietary needs"] == "'" + payload
    book = openpyxl.load_workbook(io.BytesIO(SafeXLSX().export_data(dataset)))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Dietary needs") + 1)
    # A CR in a text node reads back as LF unless the writer escaped it (it
    # does when lxml is installed); either way the apostrophe stays in front.
    assert cell.value in {"'" + payload, ("'" + payload).replace("\r", "\n")}
    assert cell.data_type == "s"


def test_export_flights_local_times_and_round_trip(meeting, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan, email="a@mfa.example")
    FlightLegFactory(delegate=delegate)
    dataset = FlightLegResource().export(FlightLeg.objects.all())
    assert dataset.dict[0]["Departs (local time)"] == "2017-06-12 09:10"
    assert dataset.dict[0]["Arrives (local time)"] == "2017-06-12 10:55"
    assert dataset.dict[0]["Delegate's email"] == "a@mfa.example"
    xlsx = SafeXLSX().export_data(dataset)
    outcome = import_file(xlsx, kind="flights", file_format="xlsx")
    assert outcome.problems == []
    assert outcome.written == {"new": 0, "update": 1}


# XLSX hardening -----------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def bomb_xlsx(part: str) -> bytes:
    """Return a valid delegates XLSX whose given part declares the entities."""
    good = to_xlsx(DELEGATE_HEADER, [delegate_row(1)])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == part:
                body = data.decode().split("?>", 1)[-1]
                body = body.replace("<v>", "<v>&lol9;", 1) if "<v>" in body else body
                data = (BILLION_LAUGHS + body).encode()
            dst.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_import_xlsx_billion_laughs_refused(meeting, kazakhstan, part):
    before = written()
    with pytest.raises(UnreadableFile) as refused_file:
        import_file(
            bomb_xlsx(part), kind="delegates", file_format="xlsx", meeting=meeting
        )
    assert str(refused_file.value) == (
        "The XLSX file declares XML entities (a possible 'billion laughs' attack); "
        "it was refused and nothing was imported."
    )
    assert written() == before


def test_import_xlsx_zip_bomb_refused(meeting):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    with pytest.raises(UnreadableFile) as refused_file:
        import_file(
            out.getvalue(), kind="delegates", file_format="xlsx", meeting=meeting
        )
    assert "possible zip bomb" in str(refused_file.value)


# Files between preview and confirm ------------------------------------------------


def test_tmp_storage_private_folder_and_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    storage = PrivateImportStorage(read_mode="r", encoding="utf-8-sig")
    storage.save(b"\xef\xbb\xbfdelegation\nKZ\n")
    path = import_tmp_dir() / storage.name
    assert path.parent == tmp_path / "media" / "import-tmp"
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert (
        PrivateImportStorage(
            name=storage.name, read_mode="r", encoding="utf-8-sig"
        ).read()
        == "delegation\nKZ\n"
    )
    storage.remove()
    assert not path.exists()


def test_tmp_storage_refuses_names_that_are_not_ours(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for name in ["../../etc/passwd", "dialogue.sqlite3", "A" * 32]:
        with pytest.raises(UnreadableFile):
            PrivateImportStorage(name=name)


def test_tmp_storage_sweeps_old_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = PrivateImportStorage()
    old.save(b"x")
    path = import_tmp_dir() / old.name
    os.utime(path, (0, 0))
    PrivateImportStorage().save(b"y")
    assert not path.exists()


def test_import_rolls_back_on_postgres_too(meeting, kazakhstan):
    """The same refusal on whichever database runs the suite (see the PostgreSQL
    run in the README); a 4th funded row after good rows leaves no trace."""
    before = written()
    rows = [delegate_row(n, funded="yes") for n in range(1, 5)]
    outcome = import_delegates(meeting, rows)
    assert [p.row for p in outcome.problems] == [5]
    assert written() == before
    assert connection.vendor in {"sqlite", "postgresql"}


def test_dataset_headers_with_apostrophe_accepted(meeting, kazakhstan):
    dataset = tablib.Dataset(headers=DELEGATE_HEADER)
    dataset.append([delegate_row(1)[c] for c in DELEGATE_HEADER])
    result = DelegateResource(meeting=meeting).import_data(dataset)
    assert result.problems == []


# Hostile flight files: every bad time named by row and column, nothing written --


def london_row(email, n, **changes):
    """A leg from London Heathrow, where the clocks change (BST/GMT)."""
    return flight_row(
        email,
        flight_number=f"BA {n}",
        from_airport="LHR",
        to_airport="ASB",
        **changes,
    )


def test_hostile_flight_file_refuses_every_bad_time_and_writes_nothing(
    meeting, kazakhstan
):
    delegate = DelegateFactory(delegation=kazakhstan)
    email = delegate.email
    before = written()
    outcome = import_flights(
        meeting,
        [
            flight_row(email),  # a good row: not written either
            flight_row(email, flight_number="KC 1", departs_local="2017-02-30 09:10"),
            flight_row(email, flight_number="KC 2", departs_local="2017-13-01 09:10"),
            flight_row(email, flight_number="KC 3", arrives_local="2017-06-12 25:10"),
            flight_row(email, flight_number="KC 4", arrives_local="2017-06-12 08:00"),
            flight_row(email, flight_number="KC 5", to_airport="ZZZ"),
            london_row(
                email,
                6,
                departs_local="2017-03-26 01:30",
                arrives_local="2017-03-26 12:00",
            ),
            london_row(
                email,
                7,
                departs_local="2017-10-29 01:30",
                arrives_local="2017-10-29 12:00",
            ),
            flight_row(
                email, flight_number="KC 8", departs_local="2017-06-12 09:10 +03:00"
            ),
            flight_row(
                email,
                flight_number="KC 9",
                departs_local="1917-06-12 09:10",
                arrives_local="1917-06-12 10:55",
            ),
            flight_row(
                email, flight_number="KC 10", departs_local="2017-06-12 09:10 +99:00"
            ),
        ],
    )
    assert_refused(
        outcome,
        before,
        [
            "Row 3, column departs_local: 2017-02-30 09:10 is not a date: that month "
            "has 28 days.",
            "Row 4, column departs_local: 2017-13-01 09:10 is not a date: there is no "
            "month 13.",
            "Row 5, column arrives_local: 2017-06-12 25:10 is not a time of day: hours "
            "run from 00 to 23, minutes from 00 to 59.",
            "Row 6, column arrives_local: The flight arrives before it departs once "
            "both local times are converted to UTC (2017-06-12 03:10 → "
            "2017-06-12 03:00 UTC).",
            "Row 7, column to_airport: ZZZ is not a known IATA airport code.",
            "Row 8, column departs_local: 2017-03-26 01:30 does not exist at London"
            "\u00a0(LHR): that night the clocks went forward from 01:00 to 02:00 (from "
            "UTC+00:00 to UTC+01:00). Check the time on the ticket or the programme.",
            "Row 9, column departs_local: 2017-10-29 01:30 happens twice at London"
            "\u00a0(LHR), when the clocks go back: first at UTC+01:00, then again at "
            "UTC+00:00. Write which one: 2017-10-29 01:30 +01:00 or "
            "2017-10-29 01:30 +00:00.",
            "Row 10, column departs_local: 2017-06-12 09:10 +03:00 is not a time at "
            "Astana\u00a0(NQZ): there the clocks are at UTC+06:00 then.",
            "Row 11, column departs_local: The flight departs on 1917-06-12, more "
            "than a year from the meeting (2017-06-13 to 2017-06-13): check the year.",
            "Row 12, column departs_local: +99:00 is not an offset from UTC such as "
            "+05:00 or -03:30.",
        ],
    )


def test_hostile_flight_file_in_russian_names_rows_in_russian(meeting, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan)
    with translation.override("ru"):
        outcome = import_flights(
            meeting,
            [
                london_row(
                    delegate.email,
                    7,
                    departs_local="2017-10-29 01:30",
                    arrives_local="2017-10-29 12:00",
                )
            ],
        )
        (problem,) = refused(outcome)
    assert problem.startswith("Строка 2, столбец departs_local: Время 2017-10-29 01:30")
    assert "2017-10-29 01:30 +01:00" in problem
    assert "дважды" in problem


@pytest.mark.parametrize(
    ("written_as", "utc"),
    [
        ("2017-10-29 01:30 +01:00", datetime.datetime(2017, 10, 29, 0, 30)),
        ("2017-10-29 01:30 +0000", datetime.datetime(2017, 10, 29, 1, 30)),
        ("2017-10-29 01:30 UTC+00:00", datetime.datetime(2017, 10, 29, 1, 30)),
    ],
)
def test_time_that_happens_twice_is_taken_with_its_offset(
    meeting, kazakhstan, written_as, utc
):
    delegate = DelegateFactory(delegation=kazakhstan)
    outcome = import_flights(
        meeting,
        [
            london_row(
                delegate.email,
                7,
                departs_local=written_as,
                arrives_local="2017-10-29 12:00",
            )
        ],
    )
    assert outcome.problems == []
    leg = FlightLeg.objects.get()
    assert leg.departs_at == utc.replace(tzinfo=datetime.UTC)


def test_export_writes_the_offset_of_a_time_that_happens_twice(meeting, kazakhstan):
    delegate = DelegateFactory(delegation=kazakhstan)
    second = FlightLegFactory(
        delegate=delegate,
        flight_number="BA 7",
        from_airport="LHR",
        to_airport="ASB",
        departs_at=datetime.datetime(2017, 10, 29, 1, 30, tzinfo=datetime.UTC),
        arrives_at=datetime.datetime(2017, 10, 29, 8, 0, tzinfo=datetime.UTC),
    )
    rows = FlightLegResource(meeting=meeting).export(FlightLeg.objects.all()).dict
    assert rows[0]["Departs (local time)"] == "2017-10-29 01:30 +00:00"
    assert rows[0]["Arrives (local time)"] == "2017-10-29 13:00"  # Ashgabat has no DST
    # Read back, the same instant: the file updates the leg, adds none.
    outcome = import_file(
        to_csv(list(rows[0]), rows),
        kind="flights",
        file_format="csv",
        meeting=meeting,
    )
    assert outcome.problems == []
    assert FlightLeg.objects.get().departs_at == second.departs_at
