"""CSV uploads in UTF-8 (with or without a byte-order mark) and in
Windows-1251, as Russian-language Excel writes them: chosen or detected."""

import codecs

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from delegations.imports import start_import_preview
from delegations.models import Delegate
from delegations.resources import import_file
from delegations.spreadsheets import UnreadableFile, detect_csv_encoding
from tests.delegations.test_resources import DELEGATE_HEADER, delegate_row, refused
from tests.factories import DelegationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def kazakhstan(meeting):
    return DelegationFactory(
        meeting=meeting, country_code="KZ", name_en="Kazakhstan", funded_quota=3
    )


def csv_text(rows) -> str:
    lines = [",".join(DELEGATE_HEADER)]
    lines += [",".join(str(row[c]) for c in DELEGATE_HEADER) for row in rows]
    return "\r\n".join(lines) + "\r\n"


ROWS = [
    delegate_row(1, name_cyrillic="Айдар Нурланов", position_ru="Советник"),
    delegate_row(2, name_cyrillic="Гульнара Ёлкина", position_ru="Эксперт"),
]
NAMES = ["Айдар Нурланов", "Гульнара Ёлкина"]

FILES = {
    "utf-8": csv_text(ROWS).encode("utf-8"),
    "utf-8-bom": codecs.BOM_UTF8 + csv_text(ROWS).encode("utf-8"),
    "cp1251": csv_text(ROWS).encode("cp1251"),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_cyrillic_names_detected_and_imported(meeting, kazakhstan, name):
    outcome = import_file(
        FILES[name], kind="delegates", file_format="csv", meeting=meeting
    )
    assert refused(outcome) == []
    assert sorted(Delegate.objects.values_list("name_cyrillic", flat=True)) == NAMES
    assert Delegate.objects.get(name_cyrillic=NAMES[0]).name_latin == (
        "Aidar Nurlanov1"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("utf-8", "utf-8-sig"), ("utf-8-bom", "utf-8-sig"), ("cp1251", "cp1251")],
)
def test_detect_csv_encoding(name, expected):
    assert detect_csv_encoding(FILES[name]) == expected


def test_ascii_only_file_is_read_as_utf8():
    assert detect_csv_encoding(b"delegation,email\r\nKZ,a@b.example\r\n") == (
        "utf-8-sig"
    )


def test_encoding_chosen_by_the_user_is_used(meeting, kazakhstan):
    outcome = import_file(
        FILES["cp1251"],
        kind="delegates",
        file_format="csv",
        meeting=meeting,
        encoding="cp1251",
    )
    assert refused(outcome) == []
    assert Delegate.objects.filter(name_cyrillic__in=NAMES).count() == 2


def test_wrong_choice_is_refused_with_a_way_out(meeting, kazakhstan):
    with pytest.raises(UnreadableFile) as error:
        import_file(
            FILES["cp1251"],
            kind="delegates",
            file_format="csv",
            meeting=meeting,
            encoding="utf-8-sig",
        )
    assert "choose Windows-1251 on the upload page" in str(error.value)
    assert Delegate.objects.count() == 0


@pytest.fixture
def secretary(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return get_user_model().objects.create_user("sec", password=None, is_staff=True)


def test_upload_keeps_the_detected_encoding_on_the_job(
    meeting, secretary, django_capture_on_commit_callbacks
):
    job = start_import_preview(
        FILES["cp1251"],
        user=secretary,
        meeting=meeting,
        kind="delegates",
        file_format="csv",
    )
    assert job.encoding == "cp1251"
    job = start_import_preview(
        FILES["utf-8-bom"],
        user=secretary,
        meeting=meeting,
        kind="delegates",
        file_format="csv",
        encoding="cp1251",
    )
    assert job.encoding == "cp1251"  # the user's choice wins
