"""Badge sheets rendered for real: WeasyPrint lays the A6 cards out, pdftoppm
rasterises a page at 200 dpi as a printer would, and a real QR decoder
(zxing-cpp) reads the code back. The code holds the signed token and nothing
else; the text holds both scripts and the category's words; the file passes
the same PDF/UA checks as the packs (tests/packs/test_pdfua.py).

The last test renders with a real Celery worker on PostgreSQL and Redis, as
the live packs tests do (their live_worker fixture, tests/accreditation/conftest.py).
"""

import io
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from accreditation.services.badges import issue_badge, revoke_badge, set_badge_photo
from accreditation.tokens import badge_serial, badge_token, door_code
from delegations.services import advance_accreditation
from dialogue.packs.files import absolute
from dialogue.packs.models import Pack
from dialogue.packs.services import queue_badge_sheets
from tests.factories import DelegateFactory, DelegationFactory
from tests.packs.test_pdfua import pdfua_findings, structure_problems
from tests.services import wait_for


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (190, 120, 90)).save(out, "PNG")
    return out.getvalue()


def people(meeting):
    kazakhstan = DelegationFactory(
        meeting=meeting, country_code="KZ", name_en="Kazakhstan", name_ru="Казахстан"
    )
    osce = DelegationFactory(
        meeting=meeting,
        kind="observer",
        country_code="",
        name_en="OSCE",
        name_ru="ОБСЕ",
    )
    aliya = DelegateFactory(
        delegation=kazakhstan, name_latin="Aliya Bekova", name_cyrillic="Алия Бекова"
    )
    ivan = DelegateFactory(
        delegation=osce, name_latin="Ivan Petrov", name_cyrillic="Иван Петров"
    )
    for delegate in (aliya, ivan):
        advance_accreditation(delegate, "accredited")
    return kazakhstan, osce, aliya, ivan


def rasterise(pdf: Path, tmp_path: Path, page: int = 1) -> Image.Image:
    prefix = tmp_path / "page"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "200",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(prefix),
        ],
        check=True,
        timeout=60,
    )
    (png,) = sorted(tmp_path.glob("page*.png"))
    image = Image.open(png)
    image.load()
    png.unlink()
    return image


def decoded(image: Image.Image) -> list[str]:
    return [
        result.text
        for result in zxingcpp.read_barcodes(image)
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
def test_a_badge_sheet_carries_a_readable_signed_code_and_both_scripts(
    meeting, media, tmp_path, django_capture_on_commit_callbacks
):
    kazakhstan, _osce, aliya, _ivan = people(meeting)
    set_badge_photo(aliya, photo())
    badge = issue_badge(aliya)
    with django_capture_on_commit_callbacks(execute=True):
        result = queue_badge_sheets(meeting, delegation_ids=[kazakhstan.pk])
    sheet = Pack.objects.get(pk=result.queued[0])
    assert (sheet.status, sheet.error, sheet.pages) == ("ready", "", 1)
    path = absolute(sheet.file)

    codes = decoded(rasterise(path, tmp_path))
    assert codes == [badge_token(badge)]
    assert badge_serial(codes[0]) == badge.serial
    # The code is the serial and its signature: no name, no delegation.
    assert "Aliya" not in codes[0] and "Kazakhstan" not in codes[0]
    tampered = codes[0][:-1] + ("A" if codes[0][-1] != "A" else "B")
    assert badge_serial(tampered) is None
    assert badge_serial(f"{'0' * 32}:{codes[0].split(':', 1)[1]}") is None

    text = pdf_text(path)
    for words in (
        "Aliya Bekova",
        "Алия Бекова",
        "Kazakhstan",
        "Казахстан",
        "MEMBER STATE",
        "ГОСУДАРСТВО-ЧЛЕН",
        door_code(badge),  # under the QR code, for typing at the door
    ):
        assert words in text
    data = path.read_bytes()
    assert pdfua_findings(data) == []
    assert structure_problems(data, figures=2) == []  # the photo and the code


@pytest.mark.django_db
def test_the_meeting_sheet_has_every_badge_and_follows_a_revocation(
    meeting, media, tmp_path, django_capture_on_commit_callbacks
):
    _kz, _osce, aliya, ivan = people(meeting)
    first, second = issue_badge(aliya), issue_badge(ivan)
    with django_capture_on_commit_callbacks(execute=True):
        queue_badge_sheets(meeting, whole_meeting=True)
    sheet = Pack.objects.get(kind="badges", delegation=None)
    assert sheet.pages == 2
    path = absolute(sheet.file)
    assert decoded(rasterise(path, tmp_path, page=2)) == [badge_token(second)]
    text = pdf_text(path)
    assert "OBSERVER" in text and "НАБЛЮДАТЕЛЬ" in text and "Иван Петров" in text

    with django_capture_on_commit_callbacks(execute=True):
        revoke_badge(first, note="lost")
    sheet.refresh_from_db()
    assert (sheet.status, sheet.pages, sheet.stale_since) == ("ready", 1, None)
    text = pdf_text(absolute(sheet.file))
    assert "Aliya Bekova" not in text and "Ivan Petrov" in text


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_badges_of_a_delegation(
    meeting,
    live_worker,
    tmp_path,
):
    kazakhstan, _osce, aliya, _ivan = people(meeting)
    badge = issue_badge(aliya)
    queued = queue_badge_sheets(meeting, delegation_ids=[kazakhstan.pk]).queued
    assert wait_for(
        lambda: Pack.objects.filter(pk__in=queued, status="ready").count() == 1,
        timeout=120,
    ), live_worker.output()
    sheet = Pack.objects.get(pk=queued[0])
    assert sheet.worker  # rendered by the worker, not in this process
    (code,) = decoded(rasterise(absolute(sheet.file), tmp_path))
    assert badge_serial(code) == badge.serial
