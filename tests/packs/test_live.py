"""Packs follow their inputs: a change marks exactly the packs it is in stale,
and a burst of changes gives one render per pack (in this process: eager)."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from declaration.services import circulate_version
from delegations.models import FlightLeg
from delegations.services import save_flight_leg
from dialogue.packs.models import Pack
from dialogue.packs.services import queue_packs
from dialogue.services import save_meeting
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.factories import DelegateFactory, DelegationFactory, FlightLegFactory

KZ, KG = 1, 2  # delegations of the fixture


def ready_packs(meeting, delegations):
    """Ready packs in every edition for each delegation (no file, no render)."""
    return {
        (delegation.pk, language): Pack.objects.create(
            meeting=meeting,
            delegation=delegation,
            language=language,
            status=Pack.Status.READY,
        )
        for delegation in delegations
        for language in ("en", "ru", "bilingual")
    }


def stale_ones(meeting) -> set:
    return set(
        Pack.objects.filter(meeting=meeting, stale_since__isnull=False).values_list(
            "delegation_id", "language"
        )
    )


def scheduled(callbacks) -> list:
    return [
        c.args[0]
        for c in callbacks
        if getattr(c, "func", None) is not None
        and c.func.__self__.name == "dialogue.packs.tasks.render_stale_packs"
    ]


@pytest.fixture
def two_delegations(meeting):
    first = DelegationFactory(meeting=meeting)
    second = DelegationFactory(meeting=meeting)
    ready_packs(meeting, [first, second])
    return first, second


@pytest.mark.django_db
def test_one_flight_marks_only_its_delegations_packs_every_edition(
    meeting, two_delegations, django_capture_on_commit_callbacks
):
    first, second = two_delegations
    leg = FlightLegFactory(delegate=DelegateFactory(delegation=first))
    Pack.objects.update(stale_since=None)  # the delegate's own save marked all
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        leg.flight_number = "777"
        save_flight_leg(leg)
    assert stale_ones(meeting) == {
        (first.pk, "en"),
        (first.pk, "ru"),
        (first.pk, "bilingual"),
    }
    assert scheduled(callbacks) == [{"meeting_id": meeting.pk}]
    generations = dict(
        Pack.objects.filter(language="en").values_list("delegation_id", "generation")
    )
    assert generations == {first.pk: 1, second.pk: 0}


@pytest.mark.django_db
def test_a_circulation_marks_every_pack_of_the_meeting(
    meeting, two_delegations, django_capture_on_commit_callbacks
):
    other_meeting_pack = ready_packs(DelegationFactory().meeting, [DelegationFactory()])
    declaration = DeclarationFactory(meeting=meeting)
    draft = version_with_text(declaration, 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        circulate_version(draft, deadline=timezone.now() + datetime.timedelta(days=5))
    first, second = two_delegations
    assert stale_ones(meeting) == {
        (delegation.pk, language)
        for delegation in (first, second)
        for language in ("en", "ru", "bilingual")
    }
    assert scheduled(callbacks) == [{"meeting_id": meeting.pk}]
    assert not any(pack.stale_since for pack in other_meeting_pack.values())
    assert Pack.objects.filter(stale_since__isnull=False).count() == 6


@pytest.mark.django_db
def test_a_meeting_field_marks_every_pack(meeting, two_delegations):
    meeting.venue_en = "Another hall"
    save_meeting(meeting)
    assert len(stale_ones(meeting)) == 6


@pytest.mark.django_db
def test_a_rolled_back_change_marks_nothing(meeting, two_delegations):
    first, _second = two_delegations
    leg = FlightLegFactory(delegate=DelegateFactory(delegation=first))
    Pack.objects.update(stale_since=None)
    with pytest.raises(RuntimeError), transaction.atomic():
        leg.flight_number = "778"
        save_flight_leg(leg)
        raise RuntimeError("refused later in the same request")
    assert stale_ones(meeting) == set()


@pytest.mark.django_db(transaction=True)
def test_ten_edits_in_one_burst_give_one_render_per_pack(
    ashgabat, media_root, settings
):
    settings.PACK_LIVE_DELAY = 0
    first = queue_packs(ashgabat, languages=("en",))
    assert len(first.queued) == 8
    assert set(Pack.objects.values_list("attempts", flat=True)) == {1}
    leg = FlightLeg.objects.filter(delegate__delegation_id=KZ).first()
    with transaction.atomic():  # e.g. an import of ten rows, or the admin's inline
        for minute in range(10):
            leg.departs_at = leg.departs_at + datetime.timedelta(minutes=minute)
            save_flight_leg(leg)
    attempts = dict(Pack.objects.values_list("delegation_id", "attempts"))
    assert attempts.pop(KZ) == 2  # rendered once more, not ten times
    assert set(attempts.values()) == {1}  # no other pack was rendered
    assert Pack.objects.filter(stale_since__isnull=False).count() == 0
    assert set(Pack.objects.values_list("status", flat=True)) == {"ready"}


@pytest.mark.django_db(transaction=True)
def test_a_change_that_prints_nothing_new_clears_the_mark_without_a_render(
    ashgabat, media_root, settings
):
    settings.PACK_LIVE_DELAY = 0
    queue_packs(ashgabat, languages=("en",))
    leg = FlightLeg.objects.filter(delegate__delegation_id=KZ).first()
    leg.fare = 1234  # a fare is not printed in the pack
    save_flight_leg(leg)
    assert set(Pack.objects.values_list("attempts", flat=True)) == {1}
    assert Pack.objects.filter(stale_since__isnull=False).count() == 0
