"""Packs rendered in batches: how they are cut, and the shared read they make.

A batch reads its meeting's shared content once (SharedSnapshot) and keeps it
while no change reaches its packs; a change that does makes the next pack read
the meeting again, so a pack never prints what was there before the change.
"""

import datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from delegations.models import FlightLeg
from delegations.services import save_delegate, save_flight_leg
from dialogue.packs.content import fmt_datetime
from dialogue.packs.files import absolute
from dialogue.packs.inputs import SharedSnapshot, meeting_briefing_fingerprints
from dialogue.packs.models import Pack
from dialogue.packs.services import (
    PACK_BATCH_MAX,
    pack_batches,
    render_pack,
    render_pack_batch,
)
from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory

pytestmark = pytest.mark.django_db(transaction=True)


def queued_packs(meeting, delegations, languages=("en",)) -> list[int]:
    """Queued briefing packs, delegation by delegation, as queue_packs lists them."""
    return [
        Pack.objects.create(
            meeting=meeting,
            delegation=delegation,
            language=language,
            status=Pack.Status.QUEUED,
            # Queued just now: a re-render the test's own edits set off
            # (eager here) leaves them to the batch as in progress.
            queued_at=timezone.now(),
        ).pk
        for delegation in delegations
        for language in languages
    ]


def small_meeting(meeting, count: int = 3):
    """count delegations of one delegate each, every delegate with a flight."""
    delegations = []
    for _ in range(count):
        delegation = DelegationFactory(meeting=meeting, country_code="")
        FlightLegFactory(delegate=DelegateFactory(delegation=delegation))
        delegations.append(delegation)
    return delegations


def pdf_text(pack_id: int) -> str:
    pack = Pack.objects.get(pk=pack_id)
    reader = PdfReader(absolute(pack.file))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def fresh_fingerprint(pack_id: int) -> str:
    """The pack's fingerprint read from the database now (no snapshot)."""
    pack = Pack.objects.get(pk=pack_id)
    wanted = meeting_briefing_fingerprints(
        pack.meeting, delegation_ids=[pack.delegation_id], languages=(pack.language,)
    )
    return wanted[(pack.delegation_id, pack.language)]


def test_batches_hold_one_meeting_and_edition_and_shrink_towards_the_end(meeting):
    delegations = [
        DelegationFactory(meeting=meeting, country_code="") for _ in range(20)
    ]
    ids = queued_packs(meeting, delegations, languages=("en", "ru"))
    manifest = Pack.objects.create(meeting=meeting, kind="manifest", language="en").pk

    batches = pack_batches([*ids, manifest])

    assert sorted(pk for batch in batches for pk in batch) == sorted([*ids, manifest])
    assert [manifest] in batches
    briefing = [batch for batch in batches if batch != [manifest]]
    editions = [
        set(Pack.objects.filter(pk__in=batch).values_list("language", flat=True))
        for batch in briefing
    ]
    assert all(len(edition) == 1 for edition in editions)
    # 20 packs an edition: 3, 3, 2, 2, 2, then eight single packs; the two
    # editions take turns, so the set ends with single packs of both.
    sizes = {
        language: [
            len(b) for b, e in zip(briefing, editions, strict=True) if e == {language}
        ]
        for language in ("en", "ru")
    }
    assert sizes == {"en": [3, 3, 2, 2, 2] + [1] * 8, "ru": [3, 3, 2, 2, 2] + [1] * 8}
    assert editions[0] != editions[1]
    assert max(len(batch) for batch in batches) <= PACK_BATCH_MAX
    # Within a batch the packs keep the order they were queued in.
    for batch in batches:
        assert batch == sorted(batch)


def test_a_batch_reads_the_meeting_once_and_prints_what_a_fresh_read_gives(
    meeting, media_root
):
    delegations = small_meeting(meeting)
    ids = queued_packs(meeting, delegations)
    snapshot = SharedSnapshot(ids)

    outcomes = [render_pack(pk, snapshot=snapshot) for pk in ids]

    assert outcomes == ["rendered"] * 3
    assert snapshot.reads == 1
    for pk in ids:
        pack = Pack.objects.get(pk=pk)
        assert pack.status == Pack.Status.READY
        assert pack.fingerprint == fresh_fingerprint(pk)


def test_a_name_changed_mid_batch_is_in_the_next_pack(meeting, media_root):
    delegations = small_meeting(meeting)
    ids = queued_packs(meeting, delegations)
    snapshot = SharedSnapshot(ids)
    assert render_pack(ids[0], snapshot=snapshot) == "rendered"
    delegate = delegations[2].delegates.get()
    assert delegate.name_latin in pdf_text(ids[0])

    # The third delegation's delegate is renamed: every pack lists participants.
    delegate.name_latin = "Renamed Afterwards"
    save_delegate(delegate)
    assert render_pack(ids[1], snapshot=snapshot) == "rendered"

    assert snapshot.reads == 2
    assert "Renamed Afterwards" in pdf_text(ids[1])
    assert Pack.objects.get(pk=ids[1]).fingerprint == fresh_fingerprint(ids[1])


def test_a_flight_changed_mid_batch_reads_again_for_its_own_delegation_only(
    meeting, media_root
):
    delegations = small_meeting(meeting)
    ids = queued_packs(meeting, delegations)
    snapshot = SharedSnapshot(ids)
    assert render_pack(ids[0], snapshot=snapshot) == "rendered"

    flight = delegations[2].delegates.get().flights.get()
    flight.departs_at = datetime.datetime(2017, 6, 12, 1, 5, tzinfo=datetime.UTC)
    save_flight_leg(flight)

    assert render_pack(ids[1], snapshot=snapshot) == "rendered"
    assert snapshot.reads == 1  # the flight is in the third delegation's pack only
    assert render_pack(ids[2], snapshot=snapshot) == "rendered"
    assert snapshot.reads == 2
    departs = FlightLeg.objects.get(pk=flight.pk).departs_local
    assert " ".join(fmt_datetime(departs, "en").split()) in pdf_text(ids[2])
    for pk in ids:
        assert Pack.objects.get(pk=pk).fingerprint == fresh_fingerprint(pk)


def test_a_batch_past_its_time_hands_the_rest_on_as_a_new_batch(
    meeting, media_root, settings
):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0  # every pack past the first hands on
    delegations = small_meeting(meeting)
    ids = queued_packs(meeting, delegations)

    outcomes = render_pack_batch(ids, worker="test")

    # Eager: the handed-on batch ran at once (and handed on its own rest).
    assert outcomes == ["rendered", "handed on", "handed on"]
    rows = Pack.objects.filter(pk__in=ids).values_list("status", "attempts")
    assert sorted(rows) == [("ready", 1)] * 3
