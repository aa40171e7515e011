"""The travel lists: the arrivals and departures manifest, the rooming list and
the transfer manifest, as content, as tagged PDF (read back, PDF/UA checked)
and as XLSX (read back cell by cell), and how they follow their inputs."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from delegations.models import Delegate, FlightLeg, GroundTransfer
from delegations.services import (
    issue_itinerary_link,
    save_flight_leg,
    save_ground_transfers,
)
from dialogue.packs.files import absolute
from dialogue.packs.lists import manifest_content, rooming_content, transfers_content
from dialogue.packs.models import Pack
from dialogue.packs.services import (
    queue_travel_lists,
    render_pack,
)
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    FlightLegFactory,
    HotelStayFactory,
    MeetingFactory,
)
from tests.packs.test_pdfua import pdfua_findings, structure_problems

UTC = datetime.UTC


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def trips(db):
    """Flights across time zones and midnight, one cancelled, one changed.

    Ashgabat is UTC+5, Astana UTC+5 (since 2024; +6 in 2017 by the tz
    database), Istanbul UTC+3, Dushanbe UTC+5.
    """
    meeting = MeetingFactory()
    kz = DelegationFactory(meeting=meeting, country_code="KZ", name_en="Kazakhstan")
    tj = DelegationFactory(meeting=meeting, country_code="TJ", name_en="Tajikistan")
    minister = DelegateFactory(delegation=kz, role="head", name_latin="Head Kz")
    adviser = DelegateFactory(delegation=kz, role="adviser", name_latin="Adviser Kz")
    head_tj = DelegateFactory(delegation=tj, role="head", name_latin="Head Tj")
    legs = {
        # Lands 23:50 on the 12th, Ashgabat time.
        "late": FlightLegFactory(
            delegate=minister,
            flight_number="KC901",
            departs_at=utc(2017, 6, 12, 16, 0),
            arrives_at=utc(2017, 6, 12, 18, 50),
        ),
        # Lands 00:20 on the 13th: the next day's list, although it left first.
        "after_midnight": FlightLegFactory(
            delegate=adviser,
            flight_number="KC903",
            departs_at=utc(2017, 6, 12, 15, 30),
            arrives_at=utc(2017, 6, 12, 19, 20),
        ),
        # Tajik head via Istanbul: the first leg is a connection at Dushanbe.
        "connection": FlightLegFactory(
            delegate=head_tj,
            carrier="Turkish Airlines",
            flight_number="TK253",
            from_airport="DYU",
            to_airport="IST",
            departs_at=utc(2017, 6, 12, 1, 0),
            arrives_at=utc(2017, 6, 12, 5, 0),
        ),
        "via_ist": FlightLegFactory(
            delegate=head_tj,
            carrier="Turkish Airlines",
            flight_number="TK340",
            from_airport="IST",
            to_airport="ASB",
            departs_at=utc(2017, 6, 12, 8, 0),
            arrives_at=utc(2017, 6, 12, 12, 30),
        ),
        # Leaves 01:05 on the 14th, Ashgabat time.
        "home": FlightLegFactory(
            delegate=minister,
            flight_number="KC902",
            from_airport="ASB",
            to_airport="NQZ",
            departs_at=utc(2017, 6, 13, 20, 5),
            arrives_at=utc(2017, 6, 13, 22, 0),
        ),
        "cancelled": FlightLegFactory(
            delegate=adviser,
            flight_number="KC905",
            from_airport="ASB",
            to_airport="NQZ",
            status="cancelled",
            departs_at=utc(2017, 6, 14, 4, 0),
            arrives_at=utc(2017, 6, 14, 6, 0),
        ),
    }
    changed = FlightLegFactory(
        delegate=adviser,
        flight_number="KC906",
        from_airport="ASB",
        to_airport="NQZ",
        departs_at=utc(2017, 6, 14, 5, 0),
        arrives_at=utc(2017, 6, 14, 7, 0),
    )
    changed.flight_number = "KC908"
    changed.departs_at = utc(2017, 6, 14, 9, 0)
    changed.arrives_at = utc(2017, 6, 14, 11, 0)
    save_flight_leg(changed)
    # A status change alone is no change of flight.
    legs["home"].status = "booked"
    save_flight_leg(legs["home"])
    legs["changed"] = changed
    HotelStayFactory(delegate=minister, confirmation_number="YH-1")
    HotelStayFactory(
        delegate=adviser,
        hotel_en="Sofitel Oguzkent",
        hotel_ru="Софитель «Огузкент»",
        check_in=datetime.date(2017, 6, 13),
        check_out=datetime.date(2017, 6, 14),
        confirmation_number="SO-2",
    )
    return meeting, kz, legs


def rows_of(content):
    return [
        (group["keys"], row) for group in content["groups"] for row in group["rows"]
    ]


def test_manifest_holds_every_active_leg_once_in_local_time_order(trips):
    meeting, _kz, legs = trips
    content = manifest_content(meeting, "en")
    listed = [row["leg"] for _keys, row in rows_of(content)]
    active = FlightLeg.objects.exclude(status="cancelled").values_list("pk", flat=True)
    assert sorted(pk for pk in listed if pk != legs["cancelled"].pk) == sorted(active)
    assert len(listed) == len(set(listed))
    assert [group["keys"] for group in content["groups"]] == [
        ["2017-06-12", "ASB"],
        ["2017-06-12", "DYU"],
        ["2017-06-13", "ASB"],
        ["2017-06-14", "ASB"],
    ]
    by_group = {tuple(g["keys"]): g["rows"] for g in content["groups"]}
    assert [r["leg"] for r in by_group[("2017-06-12", "ASB")]] == [
        legs["via_ist"].pk,  # 17:30 local
        legs["late"].pk,  # 23:50 local
    ]
    assert [r["cells"][0] for r in by_group[("2017-06-12", "ASB")]] == [
        "17:30",
        "23:50",
    ]
    assert [r["cells"][0] for r in by_group[("2017-06-12", "DYU")]] == ["06:00"]
    assert [r["cells"][1] for r in by_group[("2017-06-12", "DYU")]] == ["Connection"]
    assert [(r["leg"], r["cells"][0]) for r in by_group[("2017-06-13", "ASB")]] == [
        (legs["after_midnight"].pk, "00:20")
    ]
    assert [(r["leg"], r["cells"][0]) for r in by_group[("2017-06-14", "ASB")]] == [
        (legs["home"].pk, "01:05"),
        (legs["cancelled"].pk, "09:00"),
        (legs["changed"].pk, "14:00"),
    ]
    for group in content["groups"]:
        moments = [row["at"] for row in group["rows"]]
        assert moments == sorted(moments)


def test_manifest_marks_heads_cancelled_and_changed_flights(trips):
    meeting, _kz, legs = trips
    rows = {row["leg"]: row for _keys, row in rows_of(manifest_content(meeting, "en"))}
    heads = {pk for pk, row in rows.items() if row["head"]}
    assert heads == {legs[k].pk for k in ("late", "connection", "via_ist", "home")}
    assert {pk for pk, row in rows.items() if row["cells"][7] == "VIP"} == heads
    assert rows[legs["cancelled"].pk]["status"] == "cancelled"
    assert rows[legs["cancelled"].pk]["cells"][10] == "Cancelled"
    assert rows[legs["changed"].pk]["status"] == "changed"
    assert rows[legs["changed"].pk]["cells"][10] == "Changed: was KC906, 14.06 10:00"
    assert rows[legs["changed"].pk]["cells"][2] == "KC908 (Air Astana)"
    assert rows[legs["home"].pk]["status"] == ""  # booked, not another flight
    assert {pk for pk, row in rows.items() if row["status"]} == {
        legs["cancelled"].pk,
        legs["changed"].pk,
    }
    ru = {row["leg"]: row for _keys, row in rows_of(manifest_content(meeting, "ru"))}
    assert ru[legs["cancelled"].pk]["cells"][10] == "Отменён"
    assert ru[legs["changed"].pk]["cells"][10] == "Изменён: был KC906, 14.06 10:00"
    assert ru[legs["late"].pk]["cells"][1] == "Прибытие"


def test_manifest_shows_the_transfer_and_the_hotel_of_the_day(trips):
    meeting, _kz, legs = trips
    minister = legs["late"].delegate
    adviser = legs["after_midnight"].delegate
    save_ground_transfers(
        minister,
        [
            GroundTransfer(
                pickup_at=utc(2017, 6, 12, 19, 0),
                pickup_place_en="Airport, VIP terminal",
                pickup_place_ru="Аэропорт, VIP-терминал",
                destination_en="Yyldyz Hotel",
                destination_ru="Гостиница «Йылдыз»",
                flight=legs["late"],
                vehicle="Mercedes, 01 AG 1701",
                driver_name="Bayram Atayev",
            )
        ],
    )
    # Entered without its flight: found by the time it meets the landing.
    save_ground_transfers(
        adviser,
        [
            GroundTransfer(
                pickup_at=utc(2017, 6, 12, 19, 45),
                pickup_place_en="Airport, hall B",
                pickup_place_ru="Аэропорт, зал B",
                destination_en="Sofitel Oguzkent",
                destination_ru="Софитель «Огузкент»",
            )
        ],
    )
    rows = {row["leg"]: row for _keys, row in rows_of(manifest_content(meeting, "en"))}
    assert rows[legs["late"].pk]["cells"][8:10] == [
        "00:00 Airport, VIP terminal (Mercedes, 01 AG 1701, Bayram Atayev)",
        "Yyldyz Hotel",
    ]
    assert rows[legs["after_midnight"].pk]["cells"][8:10] == [
        "00:45 Airport, hall B",
        "Sofitel Oguzkent",
    ]
    assert rows[legs["via_ist"].pk]["cells"][8:10] == ["", ""]


def test_manifest_reads_a_fixed_number_of_queries(trips):
    meeting, _kz, _legs = trips
    with CaptureQueriesContext(connection) as few:
        manifest_content(meeting, "en")
    for _more in range(5):
        delegation = DelegationFactory(meeting=meeting, country_code="")
        delegate = DelegateFactory(delegation=delegation)
        FlightLegFactory(delegate=delegate)
        HotelStayFactory(delegate=delegate)
    with CaptureQueriesContext(connection) as many:
        manifest_content(meeting, "en")
    assert len(many) == len(few) == 5


def test_focal_point_manifest_holds_only_its_delegation(trips):
    meeting, kz, legs = trips
    content = manifest_content(meeting, "en", delegation_id=kz.pk)
    assert content["delegation"] == "Kazakhstan"
    assert sorted(row["leg"] for _k, row in rows_of(content)) == sorted(
        legs[k].pk for k in ("late", "after_midnight", "home", "cancelled", "changed")
    )


def test_rooming_list_counts_nights_per_hotel(trips):
    meeting, _kz, _legs = trips
    content = rooming_content(meeting, "en")
    assert [g["heading"] for g in content["groups"]] == [
        "Sofitel Oguzkent",
        "Yyldyz Hotel",
    ]
    assert [row["values"] for row in content["groups"][1]["rows"]] == [
        [
            "Head Kz",
            "Kazakhstan",
            datetime.date(2017, 6, 12),
            datetime.date(2017, 6, 14),
            2,
            "YH-1",
            "",
        ]
    ]
    assert content["groups"][0]["rows"][0]["values"][4] == 1
    assert content["groups"][1]["subheading"] == "Guests: 1. Nights: 2."


@pytest.mark.django_db
def test_rooming_list_of_the_fixture_names_needs_in_latin_script(ashgabat):
    content = rooming_content(ashgabat, "ru")
    (hotel,) = content["groups"]
    assert hotel["heading"] == "Гостиница «Йылдыз»"
    rows = {row["values"][0]: row["values"] for row in hotel["rows"]}
    assert rows["Bakyt Osmonaliev"][1:] == [
        "Кыргызстан",
        datetime.date(2017, 6, 12),
        datetime.date(2017, 6, 14),
        2,
        "YH-17-405",
        "Доступность: Step-free access to the meeting room",
    ]
    # Everyone funded who sleeps at the hotel has a confirmation number.
    funded = set(
        Delegate.objects.filter(meeting=ashgabat, funded=True).values_list(
            "name_latin", flat=True
        )
    )
    assert all(rows[name][5] for name in funded & set(rows))


@pytest.mark.django_db
def test_transfer_manifest_of_the_fixture_groups_passengers_per_car(ashgabat):
    content = transfers_content(ashgabat, "en")
    assert [g["keys"] for g in content["groups"]] == [["2017-06-12"], ["2017-06-14"]]
    first = content["groups"][0]["rows"]
    assert [row["cells"][0] for row in first] == sorted(
        row["cells"][0] for row in first
    )
    kz_head, kz_others = first[2], first[3]
    assert kz_head["cells"] == [
        "11:25",
        "Ashgabat International Airport, VIP terminal",
        "H.E.\u00a0Nurlan Sadykov (Kazakhstan)",
        "KC127 arrives 10:55",
        "Yyldyz Hotel",
        "Mercedes-Benz S-Class, 01 AG 1701",
        "Bayram Atayev, +993 65 123401",
    ]
    assert kz_others["cells"][2] == (
        "Mr.\u00a0Askar Temirbekov (Kazakhstan); "
        "Mr.\u00a0Dauren Zhaksylykov (Kazakhstan)"
    )
    assert kz_others["cells"][5:] == [
        "Toyota Land Cruiser, 01 AG 1711",
        "Rustam Gurbanov, +993 65 123411",
    ]


# Rendered: tagged PDF, XLSX --------------------------------------------------


def pdf_text(data: bytes) -> str:
    """Return the PDF's text, lines and no-break spaces read as spaces."""
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


def rendered(meeting, kind, language, file_format, delegation_id=None) -> bytes:
    pack = Pack.objects.create(
        meeting=meeting,
        kind=kind,
        language=language,
        file_format=file_format,
        delegation_id=delegation_id,
    )
    assert render_pack(pack.pk) == "rendered"
    pack.refresh_from_db()
    return absolute(pack.file).read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["manifest", "rooming", "transfers"])
def test_travel_list_pdfs_pass_pdfua_in_both_languages(ashgabat, media_root, kind):
    for language in ("en", "ru"):
        data = rendered(ashgabat, kind, language, "pdf")
        assert pdfua_findings(data) == []
        assert structure_problems(data) == []


@pytest.mark.django_db
def test_manifest_pdf_reads_back_in_english_and_russian(ashgabat, media_root):
    english = pdf_text(rendered(ashgabat, "manifest", "en", "pdf"))
    assert "Arrivals and departures manifest" in english
    assert "H.E. Nurlan Sadykov" in english
    assert "VIP" in english
    assert "Ashgabat time (UTC+5)" in english
    russian = pdf_text(rendered(ashgabat, "manifest", "ru", "pdf"))
    assert "Список прибытия и отъезда" in russian
    assert "Е. П. Нурлан Садыков" in russian
    assert "Прибытие" in russian
    assert "Гостиница «Йылдыз»" in russian
    assert "?" not in russian.replace("? ", "")


@pytest.mark.django_db
def test_manifest_xlsx_reads_back_with_exact_values(ashgabat, media_root):
    data = rendered(ashgabat, "manifest", "en", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Date",
        "Airport",
        "Local time",
        "Movement",
        "Flight",
        "From / to",
        "Delegate",
        "Delegation",
        "Function",
        "VIP",
        "Transfer",
        "Hotel",
        "Status",
    )
    assert len(rows) == 1 + FlightLeg.objects.count()
    assert rows[1] == (
        "2017-06-12",
        "ASB",
        "09:40",
        "Arrival",
        "T5722 (Turkmenistan Airlines)",
        "Bishkek\u00a0(BSZ)",
        "H.E.\u00a0Almaz Toktogulov",
        "Kyrgyzstan",
        "Minister of Foreign Affairs",
        "VIP",
        "10:10 Ashgabat International Airport, VIP terminal "
        "(Mercedes-Benz S-Class, 01 AG 1702, Kakajan Nurmuradov)",
        "Yyldyz Hotel",
        None,
    )


@pytest.mark.django_db
def test_rooming_xlsx_has_a_sheet_per_hotel_with_dates_and_nights(ashgabat, media_root):
    data = rendered(ashgabat, "rooming", "ru", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Гостиница «Йылдыз»"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Гость", "Делегация", "Заезд", "Выезд", "Ночей")
    first = rows[1]
    assert first[2:6] == (
        datetime.datetime(2017, 6, 12),
        datetime.datetime(2017, 6, 14),
        2,
        first[5],
    )
    assert first[5].startswith("YH-17-")


# They follow their inputs -----------------------------------------------------


@pytest.mark.django_db
def test_a_changed_flight_marks_the_lists_stale_and_re_renders_them(
    ashgabat, media_root, settings, django_capture_on_commit_callbacks
):
    settings.PACK_LIVE_DELAY = 0
    kz = ashgabat.delegations.get(country_code="KZ")
    issue_itinerary_link(kz)
    leg = FlightLeg.objects.filter(delegate__delegation=kz).order_by("pk").first()
    save_flight_leg(leg)  # as staff entered it: its first history record
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_travel_lists(ashgabat)
    assert len(queued) == 14  # 3 lists × 2 languages × 2 formats + KZ's EN, RU
    packs = Pack.objects.filter(pk__in=queued)
    assert set(packs.values_list("status", flat=True)) == {"ready"}  # eager worker
    assert queue_travel_lists(ashgabat) == []  # nothing changed: nothing queued

    leg.flight_number = "KC131"
    leg.arrives_at += datetime.timedelta(hours=2)
    leg.departs_at += datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        save_flight_leg(leg)
        stale = Pack.objects.filter(pk__in=queued, stale_since__isnull=False)
        # Every list but the rooming list's: it shows no flight... yet all are
        # marked, and the fingerprint tells which to make again.
        assert stale.count() == 14

    fresh = {p.pk: p for p in Pack.objects.filter(pk__in=queued)}
    assert {p.status for p in fresh.values()} == {"ready"}
    assert [p for p in fresh.values() if p.stale_since] == []
    # Every list but the rooming list (no flight in it) was made again.
    again = {
        (p.kind, p.delegation_id, p.language, p.file_format)
        for p in fresh.values()
        if p.attempts == 2
    }
    assert {kind for kind, *_rest in again} == {"manifest", "transfers"}
    assert ("manifest", kz.pk, "ru", "pdf") in again
    text = pdf_text(
        absolute(
            Pack.objects.get(
                kind="manifest", delegation=None, language="en", file_format="pdf"
            ).file
        ).read_bytes()
    )
    assert "KC131" in text
    assert "Changed: was KC127" in text


@pytest.mark.django_db
def test_the_fixture_gives_every_funded_traveller_a_car_per_flight(ashgabat):
    funded = Delegate.objects.filter(meeting=ashgabat, funded=True)
    legs = FlightLeg.objects.filter(delegate__in=funded)
    met = set(
        GroundTransfer.objects.filter(delegate__in=funded).values_list(
            "flight_id", flat=True
        )
    )
    assert legs.count() == 24  # four States × 3 delegates × 2 (the host does not fly)
    assert set(legs.values_list("pk", flat=True)) <= met
    with_car = GroundTransfer.objects.filter(delegate__in=funded).exclude(vehicle="")
    # Two cars each for Kazakhstan and Kyrgyzstan, one for the Tajik head.
    assert with_car.count() == 14
    assert not with_car.filter(driver_name="").exists()


@pytest.mark.django_db
def test_a_focal_link_issued_after_the_lists_gets_its_own_manifest(
    ashgabat, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_travel_lists(ashgabat)
    assert len(queued) == 12  # no focal point has a link yet
    tj = ashgabat.delegations.get(country_code="TJ")

    with django_capture_on_commit_callbacks(execute=True):
        issue_itinerary_link(tj)
    own = Pack.objects.filter(meeting=ashgabat, kind="manifest", delegation=tj)
    assert sorted(own.values_list("language", "file_format", "status")) == [
        ("en", "pdf", "ready"),
        ("ru", "pdf", "ready"),
    ]
    # Issued again (a new link): nothing more is made, and no list went stale.
    with django_capture_on_commit_callbacks(execute=True):
        issue_itinerary_link(tj, reissue=True)
    assert own.count() == 2
    assert not Pack.objects.filter(meeting=ashgabat, stale_since__isnull=False)
    assert "Tajikistan" in pdf_text(absolute(own.get(language="en").file).read_bytes())


@pytest.mark.django_db
def test_a_focal_link_before_any_list_makes_nothing(ashgabat, media_root):
    issue_itinerary_link(ashgabat.delegations.get(country_code="TJ"))
    assert not Pack.objects.filter(meeting=ashgabat).exists()


@pytest.mark.django_db
def test_the_first_edit_of_a_fixture_flight_shows_what_it_was(ashgabat):
    """loaddata writes no history: the first edit through the service records
    the stored schedule first, so the manifest says what changed."""
    kz = ashgabat.delegations.get(country_code="KZ")
    leg = FlightLeg.objects.filter(delegate__delegation=kz).order_by("pk").first()
    assert not FlightLeg.history.filter(id=leg.pk).exists()
    was = leg.flight_number
    leg.flight_number = "KC131"
    save_flight_leg(leg)
    assert FlightLeg.history.filter(id=leg.pk).count() == 2
    content = manifest_content(ashgabat, "en")
    line = next(
        row
        for group in content["groups"]
        for row in group["rows"]
        if "KC131" in " ".join(str(c) for c in row["cells"])
    )
    assert f"Changed: was {was}" in " ".join(str(c) for c in line["cells"])
    save_flight_leg(leg)  # a second save adds one row, not a second "first"
    assert FlightLeg.history.filter(id=leg.pk).count() == 3
