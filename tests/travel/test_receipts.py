"""Visa fee receipts: checked by their content, size-limited, stored privately
(travel.receipts, the visa fee admin)."""

import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from travel.models import VisaFee
from travel.receipts import check_receipt

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def image(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, fmt)
    return out.getvalue()


def test_plain_pdf_jpeg_and_png_are_accepted():
    assert check_receipt(PDF) == "application/pdf"
    assert check_receipt(image("JPEG")) == "image/jpeg"
    assert check_receipt(image("PNG")) == "image/png"


@pytest.mark.parametrize(
    "data",
    [
        image("GIF"),
        b"<html><script>alert(1)</script></html>",
        b"PK\x03\x04 a zip named receipt.pdf",
        b"",
    ],
    ids=["gif", "html", "zip", "empty"],
)
def test_other_types_are_refused(data):
    with pytest.raises(ValidationError) as caught:
        check_receipt(data)
    assert caught.value.messages == ["A receipt must be a PDF, JPEG or PNG file."]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (image("PNG") + PDF, "PNG"),  # data after the image's end
        (image("JPEG")[:-2] + PDF + b"\xff\xd9", "JPG"),  # a PDF inside a JPEG
        (PDF + b"<html><script>alert(1)</script></html>", "PDF"),
        (PDF.replace(b"%%EOF", b"<script>x</script>\n%%EOF"), "PDF"),
        (image("PNG")[:-12] + b"PK\x03\x04" + image("PNG")[-12:], "PNG"),
    ],
    ids=["png+pdf", "jpeg-with-pdf", "pdf+html", "pdf-with-script", "png-with-zip"],
)
def test_polyglots_are_refused(data, kind):
    with pytest.raises(ValidationError) as caught:
        check_receipt(data)
    assert caught.value.messages == [
        f"This file is not a plain {kind}: it also holds another kind of content. "
        "Scan or export the receipt again."
    ]


def test_a_broken_image_is_refused():
    broken = image("PNG")
    broken = broken[:20] + b"\x00" * 10 + broken[30:]
    with pytest.raises(ValidationError):
        check_receipt(broken)


def test_a_receipt_over_the_limit_is_refused(settings):
    settings.TRAVEL_RECEIPT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        check_receipt(PDF + b" " * 2000)
    assert caught.value.messages == ["The receipt is 2 KB; at most 1 KB is accepted."]


@pytest.fixture
def secretary(client):
    user = get_user_model().objects.create_user("sec", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    client.force_login(user)
    return user


def post_fee(client, delegate, upload):
    return client.post(
        "/admin/travel/visafee/add/",
        {
            "delegate": delegate.pk,
            "amount": "60.00",
            "currency": "usd",
            "paid_on": "2017-05-30",
            "status": "paid",
            "reimbursed_on": "",
            "receipt_upload": upload,
        },
    )


def test_admin_refuses_a_polyglot_and_stores_nothing(client, secretary, traveller):
    upload = SimpleUploadedFile("receipt.png", image("PNG") + PDF, "image/png")
    response = post_fee(client, traveller, upload)
    assert response.status_code == 200
    assert "This file is not a plain PNG" in response.content.decode()
    assert VisaFee.objects.count() == 0


def test_admin_refuses_a_large_upload(client, secretary, traveller, settings):
    settings.TRAVEL_RECEIPT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("receipt.pdf", PDF + b" " * 1100, "application/pdf")
    response = post_fee(client, traveller, upload)
    assert "The receipt is 2 KB; at most 1 KB is accepted." in response.content.decode()
    assert VisaFee.objects.count() == 0


def test_admin_stores_a_receipt_privately(client, secretary, traveller, settings):
    upload = SimpleUploadedFile("receipt.pdf", PDF, "text/html")  # the type lies
    response = post_fee(client, traveller, upload)
    assert response.status_code == 302
    fee = VisaFee.objects.get()
    assert fee.currency == "USD"
    assert fee.receipt_type == "application/pdf"
    stored = Path(fee.receipt.path)
    assert stored.read_bytes() == PDF
    assert stored.parent == Path(settings.MEDIA_ROOT).resolve() / "private" / "receipts"
    assert stored.suffix == ".pdf" and "receipt" not in stored.stem
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    download = client.get(f"/admin/travel/visafee/{fee.pk}/receipt/")
    assert b"".join(download.streaming_content) == PDF


def test_a_drafter_cannot_open_a_receipt(client, traveller):
    from travel.services import save_visa_fee

    fee = save_visa_fee(
        VisaFee(
            delegate=traveller,
            amount=60,
            currency="USD",
            paid_on=datetime.date(2017, 5, 30),
        ),
        receipt=PDF,
    )
    user = get_user_model().objects.create_user("d", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Drafters"))
    client.force_login(user)
    assert client.get(f"/admin/travel/visafee/{fee.pk}/receipt/").status_code == 403
