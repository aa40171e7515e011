"""Pack claims: a lapsed lease is queued again; a pack that kills its worker
every time ends failed, not rendered for ever."""

import datetime

import pytest
from django.utils import timezone

from dialogue.packs.models import Pack
from dialogue.packs.services import is_stale, sweep_stale_packs
from tests.factories import DelegationFactory

pytestmark = pytest.mark.django_db


def rendering_pack(*, lease_in: float, attempts: int = 1) -> Pack:
    delegation = DelegationFactory()
    now = timezone.now()
    return Pack.objects.create(
        meeting=delegation.meeting,
        delegation=delegation,
        language="en",
        status="rendering",
        started_at=now - datetime.timedelta(seconds=20),
        lease_expires_at=now + datetime.timedelta(seconds=lease_in),
        attempts=attempts,
    )


def test_pack_with_a_renewed_lease_is_left_to_its_worker(
    django_capture_on_commit_callbacks,
):
    pack = rendering_pack(lease_in=5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sweep_stale_packs() == []
    assert (is_stale(pack), callbacks) == (False, [])


def test_pack_whose_lease_lapsed_is_queued_again(django_capture_on_commit_callbacks):
    pack = rendering_pack(lease_in=-1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sweep_stale_packs() == [pack.pk]
    pack.refresh_from_db()
    assert (pack.status, pack.lease_expires_at, len(callbacks)) == ("queued", None, 1)


def test_pack_stopped_three_times_is_failed_with_the_reason(
    django_capture_on_commit_callbacks,
):
    pack = rendering_pack(lease_in=-1, attempts=3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sweep_stale_packs() == []
    pack.refresh_from_db()
    assert (pack.status, callbacks) == ("failed", [])
    assert pack.error == (
        "Rendering stopped 3 times (the worker died or reached the hard time limit)."
    )
