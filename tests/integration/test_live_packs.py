"""Packs follow their inputs with a real Celery worker on Redis and PostgreSQL.

The 2017 meeting's packs are rendered once by a real worker; then a change
goes in through a service, with no command run and no button pressed:
- a circulated version: every pack is ready again and the delegate's link page
  offers a pack that carries the new version, not the outdated one;
- ten flight edits within a second, each in its own transaction: each of the
  delegation's packs is rendered exactly once more, no other pack at all.

Waits are bounded; the assertions are on counts and contents, not speed.
"""

import datetime
import io

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from declaration.models import Version
from declaration.services import circulate_version
from delegations.models import Delegate, FlightLeg
from delegations.services import issue_itinerary_link, save_flight_leg
from dialogue.fonts import warm_fonts
from dialogue.packs.models import Pack
from dialogue.packs.services import queue_packs
from tests.services import WorkerProcess, need_postgres, need_redis, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

KZ = 1  # a delegation of the fixture
LIVE_DELAY = 2.0  # PACK_LIVE_DELAY, the same in this process and the worker
BOUND = 60  # seconds a change may take to reach every pack it is in


@pytest.fixture
def live_worker(settings, tmp_path):
    """A real worker on this test's database and MEDIA_ROOT."""
    need_postgres()
    need_redis()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PACK_LIVE_DELAY = LIVE_DELAY
    warm_fonts()  # so no render is the (once per machine) font build
    worker = WorkerProcess(
        extra_env={
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PACK_LIVE_DELAY": str(LIVE_DELAY),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        }
    ).start()
    try:
        yield worker
    finally:
        worker.stop()


def render_all_once(meeting, worker) -> dict[int, int]:
    """Render every briefing pack of the meeting; return attempts by pack."""
    queued = queue_packs(meeting).queued
    assert queued
    assert wait_for(
        lambda: (
            not Pack.objects.filter(meeting=meeting).exclude(status="ready").exists()
        ),
        timeout=180,
    ), worker.output()
    return attempts_by_pack(meeting)


def attempts_by_pack(meeting) -> dict[int, int]:
    return dict(Pack.objects.filter(meeting=meeting).values_list("pk", "attempts"))


def all_fresh(meeting):
    """Every pack ready, none stale (the change reached every one)."""
    packs = Pack.objects.filter(meeting=meeting)
    return (
        packs.exists()
        and not packs.exclude(status="ready").exists()
        and not packs.filter(stale_since__isnull=False).exists()
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def test_a_circulated_version_reaches_the_link_page_with_no_command(
    ashgabat, live_worker
):
    before = render_all_once(ashgabat, live_worker)
    assert set(before.values()) == {1}
    delegate = Delegate.objects.filter(delegation_id=KZ).order_by("pk").first()
    token = issue_itinerary_link(delegate).token
    client = Client()
    first = b"".join(client.get(f"/l/{token}/pack/en.pdf").streaming_content)
    assert "first circulated version" in pdf_text(first)

    draft = Version.objects.get(declaration__meeting=ashgabat, status="draft")
    assert draft.number == 2
    circulate_version(draft, deadline=timezone.now() + datetime.timedelta(days=5))

    assert wait_for(lambda: all_fresh(ashgabat), timeout=BOUND), live_worker.output()
    after = attempts_by_pack(ashgabat)
    assert {pk: after[pk] - before[pk] for pk in before} == dict.fromkeys(before, 1)

    page = client.get(f"/l/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    for language in ("en", "ru", "bilingual"):
        assert f"/l/{token}/pack/{language}.pdf" in html
    assert "a newer version is on its way" not in html
    assert "A newer version is on its way" not in html
    text = pdf_text(b"".join(client.get(f"/l/{token}/pack/en.pdf").streaming_content))
    assert "version 2" in text.lower()
    assert "first circulated version" not in text
    assert "Changes since the previous version" in text


def test_ten_flight_edits_in_a_second_give_one_render_per_pack(ashgabat, live_worker):
    before = render_all_once(ashgabat, live_worker)
    own = set(
        Pack.objects.filter(meeting=ashgabat, delegation_id=KZ).values_list(
            "pk", flat=True
        )
    )
    assert len(own) == 3  # EN, RU and the bilingual edition
    leg = FlightLeg.objects.filter(delegate__delegation_id=KZ).order_by("pk").first()
    for _edit in range(10):  # each in its own transaction, as ten requests
        with transaction.atomic():
            leg.departs_at -= datetime.timedelta(minutes=1)
            leg.arrives_at -= datetime.timedelta(minutes=1)
            save_flight_leg(leg)

    assert wait_for(lambda: all_fresh(ashgabat), timeout=BOUND), live_worker.output()
    # A render queued twice would show here: give a stray one time to land.
    wait_for(lambda: False, timeout=LIVE_DELAY * 2)
    after = attempts_by_pack(ashgabat)
    rendered_again = {pk: after[pk] - before[pk] for pk in before}
    assert {pk: n for pk, n in rendered_again.items() if pk in own} == dict.fromkeys(
        own, 1
    )
    assert {pk: n for pk, n in rendered_again.items() if pk not in own} == {
        pk: 0 for pk in before if pk not in own
    }


def test_a_changed_flight_re_renders_the_manifest(ashgabat, live_worker):
    """The travel lists follow their inputs as the packs do (issue 14)."""
    from dialogue.packs.files import absolute
    from dialogue.packs.services import queue_travel_lists

    leg = FlightLeg.objects.filter(delegate__delegation_id=KZ).order_by("pk").first()
    save_flight_leg(leg)  # as staff entered it: its first history record
    assert len(queue_travel_lists(ashgabat)) == 12
    assert wait_for(lambda: all_fresh(ashgabat), timeout=180), live_worker.output()
    before = attempts_by_pack(ashgabat)

    leg.flight_number = "KC131"
    leg.departs_at += datetime.timedelta(hours=2)
    leg.arrives_at += datetime.timedelta(hours=2)
    save_flight_leg(leg)

    assert wait_for(lambda: all_fresh(ashgabat), timeout=BOUND), live_worker.output()
    after = attempts_by_pack(ashgabat)
    again = {
        (kind, language, file_format)
        for pk, kind, language, file_format in Pack.objects.filter(
            meeting=ashgabat
        ).values_list("pk", "kind", "language", "file_format")
        if after[pk] - before[pk] == 1
    }
    # The rooming list shows no flight: its fingerprint kept it as it was.
    assert again == {
        (kind, language, file_format)
        for kind in ("manifest", "transfers")
        for language in ("en", "ru")
        for file_format in ("pdf", "xlsx")
    }
    manifest = Pack.objects.get(
        meeting=ashgabat, kind="manifest", language="en", file_format="pdf"
    )
    text = " ".join(pdf_text(absolute(manifest.file).read_bytes()).split())
    assert "KC131" in text
    assert "Changed: was KC127" in text
