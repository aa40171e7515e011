"""Benchmark the travel lists: how soon the manifest is ready after a flight edit.

    .venv/bin/python bench/manifests.py [--n 193] [--workers 2] [--edits 3]

Prints a table of figures, asserts nothing. Uses bench/packs.py's helpers: its
own database (SQLite in a scratch folder unless DATABASE_URL names a
PostgreSQL server, where a throw-away database is created), Redis db 14 as the
broker unless CELERY_BROKER_URL is set, a scratch MEDIA_ROOT, and W real
Celery worker processes (`celery -A dialogue worker --concurrency=W`).

The meeting: N delegations x 3 funded delegates (the first of each the head of
delegation), two flights each, a hotel stay and two transfers each (a car and a
driver for the heads), and a focal-point link for the first delegation (so its
own manifest is made too). Cases:

  baseline   the manifest's content read and its EN PDF laid out once in this
             process (no queue, no worker): what a re-render costs at least;
  full set   queue_travel_lists: every list (3 kinds x EN, RU x PDF, XLSX) and
             the focal point's two manifests, until all are ready;
  live       one flight saved through save_flight_leg, nobody presses a button:
             seconds from the commit until the meeting's manifest (EN and RU,
             PDF and XLSX) and the delegation's own manifests are ready and no
             longer stale (PACK_LIVE_DELAY, the wait for edits to stop, is
             included); repeated --edits times, each on another delegation.

W workers are W one-process nodes (each also reading its own queue, so a
travel list goes back to the node that keeps its layout: dialogue/routing.py),
or with --pool one node of W pool processes (any process takes any list: a
re-render may land where the list was never laid out). The load average is
printed beside every figure.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")

from bench.packs import Workers, ensure_database, make_meeting, setup_django  # noqa: E402

TARGET = 10.0  # seconds from a flight edit to the manifest ready again


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def prepare(n: int):
    """Return the meeting of bench/packs.py's make_meeting, made a travel desk's:
    roles, funding, transfers with cars, confirmations, one focal-point link."""
    from delegations.models import Delegate, FlightLeg, GroundTransfer, HotelStay
    from delegations.services import issue_itinerary_link

    meeting = make_meeting(n)
    delegates = Delegate.objects.filter(meeting=meeting)
    delegates.exclude(sort_order=0).update(role="adviser")
    delegates.update(funded=True)
    HotelStay.objects.filter(delegate__meeting=meeting).update(
        confirmation_number="YH-BENCH"
    )
    transfers = []
    for leg in FlightLeg.objects.filter(delegate__meeting=meeting).select_related(
        "delegate"
    ):
        arriving = leg.to_airport == meeting.venue_airport
        head = leg.delegate.sort_order == 0
        transfers.append(
            GroundTransfer(
                delegate=leg.delegate,
                flight=leg,
                pickup_at=leg.arrives_at + datetime.timedelta(minutes=30)
                if arriving
                else leg.departs_at - datetime.timedelta(hours=2, minutes=30),
                pickup_place_en="Airport, VIP terminal" if arriving else "Hotel",
                pickup_place_ru="Аэропорт, VIP-терминал" if arriving else "Гостиница",
                destination_en="Yyldyz Hotel" if arriving else "Airport",
                destination_ru="Гостиница «Йылдыз»" if arriving else "Аэропорт",
                vehicle=f"Car {leg.delegate.delegation.sort_order:03d}" if head else "",
                driver_name="Driver Name" if head else "",
            )
        )
    GroundTransfer.objects.bulk_create(transfers)
    first = meeting.delegations.order_by("sort_order").first()
    issue_itinerary_link(first)
    return meeting


def baseline(meeting) -> dict:
    """Return the in-process figures: the manifest's content read, its EN PDF
    laid out from nothing (the naive cost of every re-render), and again
    after one row changed (what this process's cache of parts leaves)."""
    from dialogue.packs.lists import manifest_content
    from dialogue.packs.render import PackRenderer

    renderer = PackRenderer()
    clock = time.monotonic()
    content = manifest_content(meeting, "en")
    read = time.monotonic() - clock
    clock = time.monotonic()
    _data, pages = renderer.render_list(content)
    cold = time.monotonic() - clock
    content["groups"][0]["rows"][0]["cells"][2] = "KC999 (Air Astana)"
    layouts = renderer.layouts
    clock = time.monotonic()
    renderer.render_list(content)
    warm = time.monotonic() - clock
    rows = sum(len(g["rows"]) for g in content["groups"])
    return {
        "read": read,
        "cold": cold,
        "warm": warm,
        "pages": pages,
        "rows": rows,
        "parts": renderer.layouts - layouts,
    }


def wait_until(condition, timeout: float = 600) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def fresh(packs) -> bool:
    return (
        packs.exists()
        and not packs.exclude(status="ready").exists()
        and not packs.filter(stale_since__isnull=False).exists()
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=193, help="delegations")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument(
        "--pool",
        action="store_true",
        help="one worker node of W pool processes (default: W one-process "
        "nodes, each reading its own queue too: the sticky travel lists)",
    )
    args = parser.parse_args()
    ensure_database()
    setup_django()
    from django.conf import settings
    from django.db import connection

    from delegations.models import FlightLeg
    from delegations.services import issue_itinerary_link, save_flight_leg
    from dialogue.fonts import warm_fonts
    from dialogue.packs.models import TRAVEL_LISTS, Pack
    from dialogue.packs.services import queue_travel_lists

    warm_fonts()
    meeting = prepare(args.n)
    legs = FlightLeg.objects.filter(delegate__meeting=meeting).count()
    print(
        f"# Travel lists: N={args.n} delegations x 3 funded delegates, {legs} "
        f"flights; {os.cpu_count()} cores; database {connection.vendor}; "
        f"broker {settings.CELERY_BROKER_URL}; load before: {load()}"
    )
    print()
    print("| case | workers | figure | load (1, 5, 15 min) |")
    print("|---|---|---|---|")
    base = baseline(meeting)
    print(
        f"| baseline: manifest EN read ({base['rows']} rows) | in process | "
        f"{base['read']:.2f} s | {load()} |"
    )
    print(
        f"| baseline: manifest EN PDF laid out from nothing ({base['pages']} "
        f"pages) | in process | {base['cold']:.2f} s | {load()} |"
    )
    print(
        f"| baseline: the same after one row changed ({base['parts']} part laid "
        f"out again) | in process | {base['warm']:.2f} s | {load()} |",
        flush=True,
    )
    lists = Pack.objects.filter(meeting=meeting, kind__in=TRAVEL_LISTS)
    shape = "1 node x {} processes" if args.pool else "{} one-process nodes"
    print(f"workers: {shape.format(args.workers)}", flush=True)
    with Workers(args.workers, nodes=not args.pool) as workers:
        clock = time.monotonic()
        queued = queue_travel_lists(meeting)
        done = wait_until(lambda: fresh(lists))
        wall = time.monotonic() - clock
        workers.sample()
        note = "" if done else " (timed out)"
        print(
            f"| full set: {len(queued)} lists made | {args.workers} | "
            f"{wall:.2f} s{note} | {load()} |",
            flush=True,
        )
        figures = []
        delegations = list(meeting.delegations.order_by("sort_order")[: args.edits])
        for delegation in delegations:
            issue_itinerary_link(delegation)  # its own manifest is made with it
        wait_until(lambda: fresh(lists))
        for delegation in delegations:
            watched = lists.filter(kind="manifest").filter(
                delegation__isnull=True
            ) | lists.filter(kind="manifest", delegation=delegation)
            leg = (
                FlightLeg.objects.filter(delegate__delegation=delegation)
                .order_by("id")
                .first()
            )
            time.sleep(1)
            clock = time.monotonic()
            leg.departs_at -= datetime.timedelta(minutes=15)
            leg.arrives_at -= datetime.timedelta(minutes=15)
            save_flight_leg(leg)  # autocommit: the re-render is queued on return
            done = wait_until(lambda w=watched: fresh(w), timeout=300)
            wall = time.monotonic() - clock
            workers.sample()
            figures.append(wall)
            note = "" if done else " (timed out)"
            print(
                f"| live: flight edit → manifest ready (EN, RU x PDF, XLSX, and "
                f"{delegation.name_en}'s own; PACK_LIVE_DELAY "
                f"{float(getattr(settings, 'PACK_LIVE_DELAY', 2.0)):g} s "
                f"included) | {args.workers} | {wall:.2f} s{note} | {load()} |",
                flush=True,
            )
            wait_until(lambda: fresh(lists))
    print()
    worst = max(figures) if figures else 0
    verdict = "within" if worst <= TARGET else "over"
    print(
        f"live: worst {worst:.2f} s, best {min(figures):.2f} s over {len(figures)} "
        f"edits: {verdict} the {TARGET:g} s target; peak worker memory "
        f"{workers.peak_kib / 1024:.0f} MiB; load after: {load()}"
    )


if __name__ == "__main__":
    main()
