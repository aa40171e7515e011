"""The budget's PDF summary: made by a worker, tagged, in English and Russian."""

import io
import shutil
import subprocess

import pikepdf
import pytest

from tests.packs.test_pdfua import pdfua_findings, structure_problems
from travel.models import BudgetSummary
from travel.services import request_budget_summary

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Travel budget: the whole cost",
                "SAMPLE DATA",
                "1 entitlement recomputed after payment",
                "Kazakhstan",
                "$4,008.00",  # KZ: 6 fares x 412 + 3 x (360 + 152)
            ],
        ),
        (
            "ru",
            [
                "Бюджет поездок: все расходы",
                "ОБРАЗЕЦ",
                "Казахстан",
                "4 008,00 $",
            ],
        ),
    ],
)
def test_summary_is_rendered_by_the_worker_and_tagged(
    ashgabat, lang, expected, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_budget_summary(ashgabat, language=lang)
    summary = BudgetSummary.objects.get(meeting=ashgabat, language=lang)
    assert (summary.status, summary.error) == ("ready", "")
    assert summary.pages >= 1
    pdf = summary.file.read()
    assert pdf.startswith(b"%PDF-")
    # The packs' PDF/UA-1 checkers (pdfua, and the structure walk on pikepdf).
    assert pdfua_findings(pdf) == []
    assert structure_problems(pdf) == []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == lang
    text = " ".join(text_of(pdf, tmp_path).split())
    for phrase in expected:
        assert " ".join(phrase.split()) in text.replace("\xa0", " "), phrase


def test_a_failed_render_is_shown_and_can_be_asked_again(ashgabat):
    from travel.services import record_summary_failure

    summary = request_budget_summary(ashgabat, language="en")
    record_summary_failure(
        reason="OSError: disk full", final=True, summary_id=summary.pk
    )
    summary.refresh_from_db()
    assert (summary.status, summary.error) == ("failed", "OSError: disk full")
    again = request_budget_summary(ashgabat, language="en")
    assert (again.pk, again.status, again.error) == (summary.pk, "queued", "")


def test_the_sweep_fails_a_summary_whose_worker_died_and_requeues_a_lost_one(
    ashgabat, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from dialogue.sweeps import run_sweeps
    from travel.services import SUMMARY_QUEUED_STALE, summary_stale_after

    long_ago = timezone.now() - summary_stale_after() - SUMMARY_QUEUED_STALE
    dead = request_budget_summary(ashgabat, language="en")
    lost = request_budget_summary(ashgabat, language="ru")
    BudgetSummary.objects.filter(pk=dead.pk).update(
        status="rendering", requested_at=long_ago
    )
    BudgetSummary.objects.filter(pk=lost.pk).update(requested_at=long_ago)
    recent = timezone.now() - datetime.timedelta(seconds=5)

    with django_capture_on_commit_callbacks(execute=True):
        run_sweeps()  # what every worker runs every few seconds

    dead.refresh_from_db()
    lost.refresh_from_db()
    assert dead.status == "failed"
    assert "worker stopped" in dead.error
    assert (lost.status, lost.error) == ("ready", "")  # queued again and made
    assert lost.requested_at > recent
    # Failed is shown with its Retry; asking again queues it.
    assert request_budget_summary(ashgabat, language="en").status == "queued"
