"""Fingerprints: unchanged packs are skipped; a flight re-renders one delegation."""

import datetime

import pytest
from django.core.management import call_command

from delegations.models import FlightLeg
from dialogue.packs.models import Pack
from dialogue.packs.services import queue_packs

pytestmark = pytest.mark.django_db(transaction=True)


def statuses(meeting):
    return sorted(Pack.objects.filter(meeting=meeting).values_list("status", flat=True))


def test_queue_packs_second_run_skips_everything(ashgabat, media_root, eager_celery):
    first = queue_packs(ashgabat, languages=("en",))
    assert (len(first.queued), first.skipped) == (8, 0)
    assert statuses(ashgabat) == ["ready"] * 8
    second = queue_packs(ashgabat, languages=("en",))
    assert (len(second.queued), second.skipped) == (0, 8)
    attempts = set(Pack.objects.values_list("attempts", flat=True))
    assert attempts == {1}


def test_flight_edit_rerenders_only_that_delegations_packs(
    ashgabat, media_root, eager_celery
):
    queue_packs(ashgabat, languages=("en", "ru"))
    before = dict(Pack.objects.values_list("pk", "finished_at"))
    flight = FlightLeg.objects.filter(delegate_id=1).order_by("departs_at").first()
    flight.departs_at -= datetime.timedelta(minutes=30)
    flight.save()

    result = queue_packs(ashgabat, languages=("en", "ru"))

    kz_packs = set(Pack.objects.filter(delegation_id=1).values_list("pk", flat=True))
    assert set(result.queued) == kz_packs
    assert (len(result.queued), result.skipped) == (2, 14)
    after = dict(Pack.objects.values_list("pk", "finished_at"))
    changed = {pk for pk in after if after[pk] != before[pk]}
    assert changed == kz_packs


def test_render_packs_command_reports_rendered_and_skipped(
    ashgabat, media_root, eager_celery, capsys
):
    call_command("render_packs", "--meeting", "ashgabat-2017", "--language", "ru")
    call_command(
        "render_packs", "--meeting", "ashgabat-2017", "--language", "ru", "--wait"
    )
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "queued 8, skipped 0 (unchanged), in progress 0",
        "queued 0, skipped 8 (unchanged), in progress 0",
    ]


def test_template_version_change_rerenders(ashgabat, media_root, eager_celery):
    from dialogue.packs import fingerprint

    queue_packs(ashgabat, languages=("en",))
    fingerprint.template_version.cache_clear()
    original = fingerprint.RENDER_FORMAT
    fingerprint.RENDER_FORMAT = original + "-changed"
    try:
        result = queue_packs(ashgabat, languages=("en",))
    finally:
        fingerprint.RENDER_FORMAT = original
        fingerprint.template_version.cache_clear()
    assert (len(result.queued), result.skipped) == (8, 0)


def test_failed_pack_records_reason_and_can_be_retried(
    ashgabat, media_root, eager_celery
):
    from dialogue.packs.services import requeue_packs

    queue_packs(ashgabat, languages=("en",))
    pack = Pack.objects.get(delegation_id=2, language="en")
    # A file in the way of the pack's directory makes the write fail.
    folder = media_root / "packs" / str(ashgabat.pk)
    (folder / "pack-2-en.pdf").unlink()
    (folder / "pack-2-en.pdf").mkdir()
    requeue_packs([pack])
    pack.refresh_from_db()
    assert pack.status == "failed"
    assert "pack-2-en.pdf" in pack.error
    (folder / "pack-2-en.pdf").rmdir()
    requeue_packs([pack])
    pack.refresh_from_db()
    assert (pack.status, pack.error, pack.attempts) == ("ready", "", 3)
