"""A travel list goes back to the worker node that keeps its layout.

Two real one-process worker nodes on Redis and PostgreSQL (each also reads its
own queue, dialogue/routing.py). The 2017 meeting's travel lists are made
once, then flights are edited through the service: every re-rendered list is
rendered by the node that made it before, so no list is laid out from nothing
on a node that never saw it. When that node dies, the other takes its lists.

Waits are bounded; the assertions are on which node rendered what.
"""

import datetime

import pytest

from delegations.models import FlightLeg
from delegations.services import save_flight_leg
from dialogue.fonts import warm_fonts
from dialogue.packs.models import TRAVEL_LISTS, Pack, WorkerHeartbeat
from dialogue.packs.services import queue_travel_lists
from tests.services import WorkerProcess, need_postgres, need_redis, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

KZ = 1  # a delegation of the fixture
LIVE_DELAY = 1.0
SWEEP = 1  # PACK_SWEEP_INTERVAL: a node's beat, and the sweeps, every second
BOUND = 90


@pytest.fixture
def two_nodes(settings, tmp_path):
    need_postgres()
    need_redis()
    assert settings.CELERY_WORKER_DIRECT  # on for a Redis broker
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PACK_LIVE_DELAY = LIVE_DELAY
    settings.PACK_SWEEP_INTERVAL = SWEEP
    warm_fonts()
    env = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PACK_LIVE_DELAY": str(LIVE_DELAY),
        "PACK_SWEEP_INTERVAL": str(SWEEP),
        "WORK_LEASE_SECONDS": "3",
    }
    nodes = [WorkerProcess(extra_env=env).start() for _ in range(2)]
    try:
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def lists(meeting):
    return Pack.objects.filter(meeting=meeting, kind__in=TRAVEL_LISTS)


def all_ready(meeting) -> bool:
    packs = lists(meeting)
    return (
        packs.exists()
        and not packs.exclude(status="ready").exists()
        and not packs.filter(stale_since__isnull=False).exists()
    )


def renders(meeting) -> dict[int, tuple]:
    """{pack: (node that rendered it last, when it finished)}."""
    return {
        pk: (worker, finished)
        for pk, worker, finished in lists(meeting).values_list(
            "pk", "worker", "finished_at"
        )
    }


def edit_a_flight(minutes: int) -> None:
    leg = FlightLeg.objects.filter(delegate__delegation_id=KZ).order_by("pk").first()
    leg.departs_at -= datetime.timedelta(minutes=minutes)
    leg.arrives_at -= datetime.timedelta(minutes=minutes)
    save_flight_leg(leg)


def output(nodes) -> str:
    return "\n".join(node.output()[-3000:] for node in nodes)


def test_each_list_is_rendered_again_by_its_node_until_that_node_dies(
    ashgabat, two_nodes
):
    names = {f"{node.name}@" for node in two_nodes}
    assert wait_for(
        lambda: (
            {
                name
                for name in names
                if WorkerHeartbeat.objects.filter(hostname__startswith=name).exists()
            }
            == names
        ),
        timeout=60,
    ), output(two_nodes)
    assert queue_travel_lists(ashgabat)
    assert wait_for(lambda: all_ready(ashgabat), timeout=240), output(two_nodes)
    first = renders(ashgabat)
    assert len({node for node, _finished in first.values()}) == 2  # both worked

    rendered_again = 0
    for minutes in (5, 10, 15):
        before = renders(ashgabat)
        edit_a_flight(minutes)
        assert wait_for(
            lambda b=before: (
                all_ready(ashgabat)
                and any(renders(ashgabat)[pk][1] != b[pk][1] for pk in b)
            ),
            timeout=BOUND,
        ), output(two_nodes)
        after = renders(ashgabat)
        again = [pk for pk in before if after[pk][1] != before[pk][1]]
        rendered_again += len(again)
        assert {pk: after[pk][0] for pk in again} == {pk: first[pk][0] for pk in again}
    # The manifests and transfer lists (EN, RU x PDF, XLSX) each time.
    assert rendered_again >= 3 * 8

    # What a flight edit renders again (the rooming list shows no flight);
    # the node to stop is one that rendered some of it.
    moved = set(
        lists(ashgabat)
        .filter(kind__in=["manifest", "transfers"])
        .values_list("pk", flat=True)
    )
    gone = next(
        node
        for node in two_nodes
        if any(first[pk][0].startswith(f"{node.name}@") for pk in moved)
    )
    survivor = next(node for node in two_nodes if node is not gone)
    theirs = [
        pk
        for pk, (node, _f) in first.items()
        if node.startswith(f"{gone.name}@") and pk in moved
    ]
    assert theirs
    gone.stop()
    before = renders(ashgabat)
    edit_a_flight(20)
    assert wait_for(
        lambda: (
            all_ready(ashgabat)
            and all(renders(ashgabat)[pk][1] != before[pk][1] for pk in theirs)
        ),
        timeout=BOUND,
    ), survivor.output()
    after = renders(ashgabat)
    again = [pk for pk in before if after[pk][1] != before[pk][1]]
    assert {after[pk][0].split("@")[0] for pk in again} == {survivor.name}
