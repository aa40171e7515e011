"""Access matrix of the travel desk's URLs: money and receipts are the
Secretariat's; drafters, delegates and focal points see none of them."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.access import AccessCase, matrix_ids, matrix_params, run_case
from tests.delegations.test_access import (
    STAFF_ONLY_SECRETARIAT,
    STAFF_ONLY_SECRETARIAT_POST,
)

BUDGET = "/admin/travel/entitlement/budget/"


def image_bytes(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, fmt)
    return out.getvalue()


PNG = image_bytes("PNG")


def ready_summary(world):
    from travel.models import BudgetSummary

    summary, created = BudgetSummary.objects.get_or_create(
        meeting=world.meeting,
        language="en",
        defaults={"status": "ready", "requested_at": timezone.now()},
    )
    if created:
        summary.file.save("budget/test.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    return f"{BUDGET}summary.en.pdf?meeting={world.meeting.pk}"


def receipt(world):
    from travel.models import VisaFee
    from travel.services import save_visa_fee

    fee = VisaFee.objects.filter(delegate=world.delegate_a).first()
    if fee is None:
        fee = save_visa_fee(
            VisaFee(
                delegate=world.delegate_a,
                amount=Decimal("60"),
                currency="USD",
                paid_on=datetime.date(2017, 5, 30),
            ),
            receipt=PNG,
        )
    return f"/admin/travel/visafee/{fee.pk}/receipt/"


CASES = [
    AccessCase(
        "admin/travel/entitlement/budget/", lambda w, r: BUDGET, STAFF_ONLY_SECRETARIAT
    ),
    AccessCase(
        "admin/travel/entitlement/budget/export.csv",
        lambda w, r: BUDGET + "export.csv",
        STAFF_ONLY_SECRETARIAT,
    ),
    AccessCase(
        "admin/travel/entitlement/budget/export.xlsx",
        lambda w, r: BUDGET + "export.xlsx",
        STAFF_ONLY_SECRETARIAT,
    ),
    AccessCase(
        "admin/travel/entitlement/budget/summary/",
        lambda w, r: BUDGET + "summary/",
        STAFF_ONLY_SECRETARIAT_POST,
        method="post",
        data={},
    ),
    AccessCase(
        "admin/travel/entitlement/budget/summary.<str:lang>.pdf",
        lambda w, r: ready_summary(w),
        STAFF_ONLY_SECRETARIAT,
    ),
    AccessCase(
        "admin/travel/visafee/<int:fee_id>/receipt/",
        lambda w, r: receipt(w),
        STAFF_ONLY_SECRETARIAT,
    ),
    *(
        AccessCase(
            f"admin/travel/{model}/",
            lambda w, r, model=model: f"/admin/travel/{model}/",
            STAFF_ONLY_SECRETARIAT,
        )
        for model in (
            "entitlement",
            "payment",
            "visafee",
            "travelrules",
            "stayprovision",
        )
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role):
    run_case(world, case, role)


def test_receipt_is_streamed_as_an_attachment_never_sniffed(world):
    response = world.clients["secretariat"].get(receipt(world))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PNG


def test_receipt_storage_has_no_url(world):
    from travel.models import VisaFee

    receipt(world)
    fee = VisaFee.objects.get()
    with pytest.raises(ValueError):
        fee.receipt.url  # noqa: B018
    assert "/private/receipts/" in fee.receipt.path
