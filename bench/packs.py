"""Benchmark the briefing packs: prints a table of figures, asserts nothing.

    .venv/bin/python bench/packs.py [--n 8 | --fixture] [--workers 2]
                                    [--skip-single] [--skip-naive]
                                    [--naive-sample K] [--unbatched]

Uses its own database (SQLite in a scratch folder unless DATABASE_URL is set;
a PostgreSQL database named there is created if missing), Redis db 13 as
broker (CELERY_BROKER_URL overrides) and a throw-away MEDIA_ROOT. For each
case it starts real Celery worker
processes (`celery -A dialogue worker --concurrency=W`), runs
`render_packs --wait` and measures wall seconds and peak worker memory (the
highest VmHWM of any worker process, sampled from /proc).

Cases: a synthetic meeting of N delegations x 3 delegates with flights and a
6-page declaration, EN and RU packs:
  full set with 1 and with W worker processes; nothing changed (second run);
  one delegate's flight edited; live (a flight saved through the service,
  no command: seconds until its delegation's packs are ready again, and how
  many other packs were re-rendered); and the naive baseline: plain WeasyPrint
  laying out and writing each pack's whole HTML separately, in W processes.
--unbatched adds the full set with one task a pack (as before batches,
render_pack_batch), then the batched full set again, in the same run.
--fixture runs the same cases on the 2017 meeting (`loaddata ashgabat_2017`
into the bench database). --naive-sample K measures the naive baseline on K
packs (delegations spread over the list) and extrapolates it to the full set by
the number of packs; the table says so.
"""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = tempfile.mkdtemp(prefix="dialogue-bench-")
# Its own SQLite database under a scratch var/ unless DATABASE_URL is set.
os.environ.setdefault("DIALOGUE_VAR_DIR", SCRATCH)
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("MEDIA_ROOT", os.path.join(SCRATCH, "media"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

LANGS = ("en", "ru")


def setup_django():
    import django

    django.setup()


def ensure_database():
    """Migrate a fresh database for this run (dropped again at exit).

    SQLite: a file in the scratch folder. PostgreSQL (DATABASE_URL names the
    server): a new database dialogue_bench_<pid> on that server, so a run never
    touches the database DATABASE_URL names, and the 2017 fixture loads with its
    own primary keys.
    """
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        from bench.scratch import scratch_database

        scratch_database("dialogue_bench")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True
    )


def make_meeting(n: int):
    """Create a meeting of n delegations x 3 delegates with flights."""
    from delegations.models import Delegate, Delegation, FlightLeg, HotelStay
    from dialogue.models import Meeting

    meeting = Meeting.objects.create(
        slug="bench",
        title_en="UN-wide High-Level Dialogue (benchmark)",
        title_ru="Общесистемный диалог высокого уровня ООН (тест)",
        short_title_en="Benchmark Dialogue",
        short_title_ru="Тестовый диалог",
        start_date=datetime.date(2017, 6, 13),
        end_date=datetime.date(2017, 6, 13),
        venue_en="Yyldyz Hotel",
        venue_ru="Гостиница «Йылдыз»",
        city_en="Ashgabat",
        city_ru="Ашхабад",
        country_code="TM",
        venue_airport="ASB",
        chair_en="The Secretary-General",
        chair_ru="Генеральный секретарь",
        organisers_en="UNCCT; UNRCCA",
        organisers_ru="КТЦ ООН; РЦПДЦА",
        background_en="\n".join(["The meeting reviews progress. " * 12] * 6),
        background_ru="\n".join(["Встреча посвящена обзору хода работы. " * 12] * 6),
        objectives_en="To take stock.\nTo update the JPoA.",
        objectives_ru="Подвести итоги.\nОбновить СПД.",
        format_en="A high-level dialogue.",
        format_ru="Диалог высокого уровня.",
        participants_en="Member States.",
        participants_ru="Государства-члены.",
        expected_outcomes_en="A declaration.",
        expected_outcomes_ru="Декларация.",
        secretariat_email="secretariat@example.org",
    )
    delegations = Delegation.objects.bulk_create(
        Delegation(
            meeting=meeting,
            kind="member_state",
            name_en=f"Member State {i:03d}",
            name_ru=f"Государство-член {i:03d}",
            funded_quota=3,
            sort_order=i,
        )
        for i in range(n)
    )
    delegates = []
    for d in delegations:
        for j in range(3):
            delegates.append(
                Delegate(
                    meeting=meeting,
                    delegation=d,
                    name_latin=f"Delegate {d.sort_order:03d}-{j} Latinname",
                    name_cyrillic=f"Делегат {d.sort_order:03d}-{j} Кириллица",
                    position_en="Minister of Foreign Affairs",
                    position_ru="Министр иностранных дел",
                    role="head",
                    sort_order=j,
                )
            )
    delegates = Delegate.objects.bulk_create(delegates)
    base = datetime.datetime(2017, 6, 12, 3, 0, tzinfo=datetime.UTC)
    legs, stays = [], []
    for k, person in enumerate(delegates):
        legs.append(
            FlightLeg(
                delegate=person,
                carrier="Air Astana",
                flight_number=f"KC{k % 900 + 100}",
                from_airport="NQZ",
                to_airport="ASB",
                departs_at=base,
                arrives_at=base + datetime.timedelta(hours=2, minutes=45),
                status="ticketed",
            )
        )
        legs.append(
            FlightLeg(
                delegate=person,
                carrier="Air Astana",
                flight_number=f"KC{k % 900 + 1000}",
                from_airport="ASB",
                to_airport="NQZ",
                departs_at=base + datetime.timedelta(days=2),
                arrives_at=base + datetime.timedelta(days=2, hours=3),
                status="ticketed",
            )
        )
        stays.append(
            HotelStay(
                delegate=person,
                hotel_en="Yyldyz Hotel",
                hotel_ru="Гостиница «Йылдыз»",
                check_in=datetime.date(2017, 6, 12),
                check_out=datetime.date(2017, 6, 14),
            )
        )
    FlightLeg.objects.bulk_create(legs)
    HotelStay.objects.bulk_create(stays)
    make_declaration(meeting)
    return meeting


def make_declaration(meeting):
    """A declaration of about six pages: two circulated versions."""
    try:
        from declaration.models import Declaration, Paragraph, Version
    except ImportError:
        return
    from django.utils import timezone

    declaration = Declaration.objects.create(
        meeting=meeting, title_en="Declaration", title_ru="Декларация"
    )
    sentence_en = "The participants reaffirm their commitment to the Strategy. "
    sentence_ru = "Участники подтверждают свою приверженность Стратегии. "
    for number in (1, 2):
        version = Version.objects.create(
            declaration=declaration, number=number, created_at=timezone.now()
        )
        Paragraph.objects.bulk_create(
            Paragraph(
                version=version,
                position=i,
                kind="preambular" if i <= 10 else "operative",
                text_en=f"Paragraph {i}. "
                + sentence_en * (6 + (i % 3))
                + ("Amended." if number == 2 and i % 7 == 0 else ""),
                text_ru=f"Пункт {i}. "
                + sentence_ru * (6 + (i % 3))
                + ("С поправкой." if number == 2 and i % 7 == 0 else ""),
            )
            for i in range(1, 41)
        )
        Version.objects.filter(declaration=declaration, status="circulated").update(
            status="superseded"
        )
        Version.objects.filter(pk=version.pk).update(
            status="circulated",
            circulated_at=timezone.now(),
            comment_deadline=timezone.now() + datetime.timedelta(days=7),
        )


class Workers:
    """W real Celery worker processes, and their peak memory from /proc.

    One node of W pool processes, or with nodes=True W nodes of one process
    each (the deployment that lets a travel list go back to the worker that
    keeps its layout, dialogue/routing.py).
    """

    def __init__(self, concurrency: int, *, nodes: bool = False):
        self.concurrency = concurrency
        self.nodes = nodes
        self.peak_kib = 0
        self.processes: list[subprocess.Popen] = []

    def _start(self, name: str, concurrency: int) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dialogue",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{name}@%h",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(SCRATCH) / "worker.log", "a"),  # noqa: SIM115
            start_new_session=True,
        )

    def __enter__(self):
        from dialogue.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        if self.nodes:
            self.processes = [
                self._start(f"bench{os.getpid()}-{index}", 1)
                for index in range(self.concurrency)
            ]
        else:
            self.processes = [self._start(f"bench{os.getpid()}", self.concurrency)]
        time.sleep(4)  # let the pool start, so start-up is not counted
        return self

    def sample(self):
        groups = {process.pid for process in self.processes}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.getpgid(int(pid)) not in groups:
                    continue
                status = Path(f"/proc/{pid}/status").read_text()
            except (OSError, ProcessLookupError):
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_kib = max(self.peak_kib, int(line.split()[1]))

    def __exit__(self, *exc):
        self.sample()
        for process in self.processes:
            os.killpg(process.pid, 15)
        for process in self.processes:
            process.wait(timeout=60)


def run_render(meeting, concurrency, *, clear=False, batch_max=None):
    """Return the figures of one run of queue_packs with W fresh worker processes.

    Wall seconds run from queue_packs (fingerprints of every pack, skips) to the
    last queued pack being ready; the workers' start-up is not counted.
    """
    from dialogue.packs import services
    from dialogue.packs.models import Pack
    from dialogue.packs.services import queue_packs

    if clear:
        Pack.objects.filter(meeting=meeting).delete()
    default_max = services.PACK_BATCH_MAX
    with Workers(concurrency) as workers:
        started = time.monotonic()
        # batch_max=1: one task a pack, as before batches (queued from here).
        services.PACK_BATCH_MAX = batch_max or default_max
        try:
            result = queue_packs(meeting, languages=LANGS)
        finally:
            services.PACK_BATCH_MAX = default_max
        pending = Pack.objects.filter(pk__in=result.queued)
        while pending.filter(status__in=["queued", "rendering"]).exists():
            workers.sample()
            time.sleep(0.05)
        wall = time.monotonic() - started
    failed = pending.filter(status="failed").count()
    if failed:
        print(f"  !! {failed} failed:", pending.filter(status="failed").first().error)
    rendered = pending.filter(status="ready").count()
    pages = sum(pending.values_list("pages", flat=True))
    return {
        "wall": wall,
        "rendered": rendered,
        "skipped": result.skipped,
        "pages": pages,
        "peak": workers.peak_kib / 1024,
    }


def naive_one(args):
    """One pack the naive way: read its content, lay out and write its whole HTML."""
    setup_django()
    meeting_id, delegation_id, lang = args
    from dialogue.models import Meeting
    from dialogue.packs.content import (
        delegation_with_travel,
        load_meeting_data,
        own_content,
        shared_content,
    )
    from dialogue.packs.render import renderer

    meeting = Meeting.objects.get(pk=meeting_id)
    data = load_meeting_data(meeting)
    delegation = delegation_with_travel(delegation_id)
    pdf, pages = renderer().render_whole(
        lang,
        shared={lang: shared_content(data, lang)},
        own={lang: own_content(delegation, meeting, lang)},
    )
    status = Path("/proc/self/status").read_text()
    peak = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM"))
    return pages, peak


def run_naive(meeting, processes, sample=None):
    """Return the naive baseline's figures over every pack, or over a sample.

    With a sample of k packs (delegations spread evenly over the list, EN and RU
    each), the wall time for the full set is extrapolated linearly by the
    number of packs: every pack of a meeting has the same shared part, so the
    naive cost per pack is about the same.
    """
    from django.db import connections

    from delegations.models import Delegation

    ids = list(
        Delegation.objects.filter(meeting=meeting)
        .order_by("sort_order", "name_en", "id")
        .exclude(invitation_status=Delegation.Invitation.DECLINED)
        .values_list("pk", flat=True)
    )
    total = len(ids) * len(LANGS)
    if sample and sample < total:
        step = len(ids) / max(1, sample // len(LANGS))
        ids = [ids[int(i * step)] for i in range(max(1, sample // len(LANGS)))]
    jobs = [(meeting.pk, d, lang) for d in ids for lang in LANGS]
    connections.close_all()
    started = time.monotonic()
    with ProcessPoolExecutor(processes) as pool:
        results = list(pool.map(naive_one, jobs, chunksize=1))
    wall = time.monotonic() - started
    return {
        "wall": wall * total / len(jobs),
        "measured_wall": wall,
        "rendered": len(jobs),
        "total": total,
        "pages": sum(pages for pages, _peak in results),
        "peak": max(peak for _pages, peak in results) / 1024,
    }


def time_split(meeting, count: int, warm: int = 3) -> dict:
    """Return seconds per pack spent in each phase, over `count` packs rendered
    in this process through render_pack (after `warm` packs, so the shared
    layouts are cached as in a worker that has been running).

    The packs share one SharedSnapshot, as a worker's batch does. Phases:
    inputs (content read and fingerprint), layout (WeasyPrint's
    HTML.render), paint (drawing or replaying pages), font (subsetting and
    embedding fonts), write (the rest of write_pdf: structure tree, objects,
    compression), other (everything else: templates, file, database). The
    timers wrap the library's functions in this benchmark process only.
    """
    import collections

    import weasyprint
    import weasyprint.document
    import weasyprint.pdf

    from dialogue.packs import inputs as pack_inputs_module
    from dialogue.packs import replay
    from dialogue.packs.inputs import SharedSnapshot
    from dialogue.packs.models import Pack
    from dialogue.packs.services import queue_packs, render_pack

    totals: dict[str, float] = collections.defaultdict(float)
    depth: dict[str, int] = collections.defaultdict(int)
    originals = []

    def wrap(owner, name, phase):
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args, **kwargs):
            depth[phase] += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                depth[phase] -= 1
                if not depth[phase]:  # the outermost call only
                    totals[phase] += time.perf_counter() - started

        setattr(owner, name, timed)

    Pack.objects.filter(meeting=meeting, kind=Pack.Kind.BRIEFING).delete()
    ids = queue_packs(meeting, languages=LANGS).queued[: warm + count]
    # As a worker's batch does (render_pack_batch): one read of the shared part.
    snapshot = SharedSnapshot(ids)
    for pk in ids[:warm]:
        render_pack(pk, snapshot=snapshot)
    wrap(pack_inputs_module, "pack_inputs", "inputs")
    wrap(weasyprint.HTML, "render", "layout")
    wrap(weasyprint.document.Page, "paint", "paint")
    wrap(replay.ReplayPage, "paint", "paint")
    wrap(weasyprint.pdf, "build_fonts_dictionary", "font")
    wrap(weasyprint.document.Document, "write_pdf", "write_pdf")
    wrap(sys.modules["dialogue.packs.services"], "render_pack", "total")
    try:
        from dialogue.packs import services

        for pk in ids[warm:]:
            services.render_pack(pk, snapshot=snapshot)
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    rendered = len(ids) - warm
    per = {phase: seconds / rendered for phase, seconds in totals.items()}
    write = per.get("write_pdf", 0) - per.get("paint", 0) - per.get("font", 0)
    split = {
        "inputs": per.get("inputs", 0),
        "layout": per.get("layout", 0),
        "paint": per.get("paint", 0),
        "font": per.get("font", 0),
        "write": write,
    }
    split["other"] = per.get("total", 0) - sum(split.values())
    split["total"] = per.get("total", 0)
    split["packs"] = rendered
    return split


def load_fixture_meeting():
    """Return the 2017 meeting of the fixtures (loaded into the bench database)."""
    from django.core.management import call_command

    from dialogue.models import Meeting

    call_command("loaddata", "ashgabat_2017", verbosity=0)
    return Meeting.objects.get(slug="ashgabat-2017")


def edit_one_flight(meeting):
    """Move one delegate's flight by 15 minutes; return its delegation's name."""
    from delegations.models import FlightLeg

    flight = (
        FlightLeg.objects.filter(delegate__delegation__meeting=meeting)
        .exclude(status="cancelled")
        .select_related("delegate__delegation")
        .order_by("id")
        .first()
    )
    flight.departs_at -= datetime.timedelta(minutes=15)
    flight.arrives_at -= datetime.timedelta(minutes=15)
    flight.save()
    return flight.delegate.delegation.name_en


def run_live(meeting, concurrency):
    """Return the figures of the live case: one flight edited through the service.

    W fresh workers are up; one flight is moved by 15 minutes through
    save_flight_leg, nobody runs a command or presses a button. Wall seconds run
    from the edit's commit to every pack of its delegation being ready and no
    longer stale (PACK_LIVE_DELAY, the wait for edits to stop, included).
    `others` counts the packs of other delegations rendered meanwhile.
    """
    from delegations.models import FlightLeg
    from delegations.services import save_flight_leg
    from dialogue.packs.models import Pack

    packs = Pack.objects.filter(meeting=meeting, kind="briefing")
    before = dict(packs.values_list("pk", "attempts"))
    flight = (
        FlightLeg.objects.filter(delegate__delegation__meeting=meeting)
        .exclude(status="cancelled")
        .select_related("delegate__delegation")
        .order_by("id")
        .first()
    )
    delegation = flight.delegate.delegation
    own = packs.filter(delegation=delegation)
    with Workers(concurrency) as workers:
        started = time.monotonic()
        flight.departs_at -= datetime.timedelta(minutes=15)
        flight.arrives_at -= datetime.timedelta(minutes=15)
        save_flight_leg(flight)  # autocommit: the task is queued on return
        deadline = started + 300
        while time.monotonic() < deadline and (
            own.exclude(status="ready").exists()
            or own.filter(stale_since__isnull=False).exists()
        ):
            workers.sample()
            time.sleep(0.05)
        wall = time.monotonic() - started
        time.sleep(2)  # a stray render of another pack would land here
    after = dict(packs.values_list("pk", "attempts"))
    own_ids = set(own.values_list("pk", flat=True))
    rendered = sum(after[pk] - before[pk] for pk in own_ids)
    others = sum(1 for pk in before if pk not in own_ids and after[pk] != before[pk])
    return {
        "wall": wall,
        "rendered": rendered,
        "skipped": f"{others} others re-rendered",
        "pages": sum(own.values_list("pages", flat=True)),
        "peak": workers.peak_kib / 1024,
        "delegation": delegation.name_en,
        "timed_out": time.monotonic() >= deadline,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=8, help="synthetic delegations")
    parser.add_argument(
        "--fixture",
        action="store_true",
        help="the 2017 meeting of the fixtures instead of a synthetic one",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=0,
        help="run the naive baseline on this many packs and extrapolate",
    )
    parser.add_argument(
        "--split",
        type=int,
        default=12,
        help="packs rendered in this process to print the time split (0: none)",
    )
    parser.add_argument(
        "--unbatched",
        action="store_true",
        help="also the full set with one task a pack (no batches), same run",
    )
    parser.add_argument(
        "--split-only",
        action="store_true",
        help="print only the time split (no worker cases)",
    )
    args = parser.parse_args()
    ensure_database()
    setup_django()
    from django.db import connection

    from dialogue.fonts import warm_fonts

    warm_fonts()  # once per machine; not part of any case
    if args.fixture:
        meeting = load_fixture_meeting()
        label = f"the 2017 meeting (fixture ashgabat_2017, {meeting.slug})"
    else:
        meeting = make_meeting(args.n)
        label = f"synthetic meeting, N={args.n} delegations x 3 delegates"
    from delegations.models import Delegation

    delegations = (
        Delegation.objects.filter(meeting=meeting)
        .exclude(invitation_status=Delegation.Invitation.DECLINED)
        .count()
    )
    packs = delegations * len(LANGS)
    load = os.getloadavg()
    print(f"# Briefing packs: {label}")
    print(
        f"{delegations} delegations, {packs} packs (EN, RU); {os.cpu_count()} cores; "
        f"database {connection.vendor}; load average before: "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print()
    print(
        "| case | workers | rendered | skipped | pages | wall s | packs/s | peak MiB |"
    )
    print("|---|---|---|---|---|---|---|---|")

    def row(case, workers, r, *, wall_note=""):
        wall = r.get("measured_wall", r["wall"])
        rate = r["rendered"] / wall if wall and r["rendered"] else 0
        print(
            f"| {case} | {workers} | {r['rendered']} | {r.get('skipped', '')} | "
            f"{r['pages']} | {r['wall']:.2f}{wall_note} | {rate:.2f} | "
            f"{r['peak']:.0f} |",
            flush=True,
        )
        return r

    results = {}
    if args.split_only:
        print_split(meeting, args.split or 12)
        return
    if not args.skip_single:
        results["single"] = row("full set", 1, run_render(meeting, 1, clear=True))
    results["full"] = row(
        "full set", args.workers, run_render(meeting, args.workers, clear=True)
    )
    if args.unbatched:
        load = os.getloadavg()
        results["unbatched"] = row(
            f"full set, one task a pack (no batches; load {load[0]:.2f})",
            args.workers,
            run_render(meeting, args.workers, clear=True, batch_max=1),
        )
        load = os.getloadavg()
        results["full"] = row(
            f"full set again, in batches (load {load[0]:.2f})",
            args.workers,
            run_render(meeting, args.workers, clear=True),
        )
    results["same"] = row(
        "nothing changed (second run)",
        args.workers,
        run_render(meeting, args.workers),
    )
    edited = edit_one_flight(meeting)
    results["flight"] = row(
        f"one flight edited ({edited})",
        args.workers,
        run_render(meeting, args.workers),
    )
    live = run_live(meeting, args.workers)
    load = os.getloadavg()
    results["live"] = row(
        f"live: one flight saved through the service, no button "
        f"({live['delegation']}; PACK_LIVE_DELAY "
        f"{float(os.environ.get('PACK_LIVE_DELAY', '2')):g} s included; "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"
        + (" TIMED OUT" if live["timed_out"] else ""),
        args.workers,
        live,
    )
    if not args.skip_naive:
        naive = run_naive(meeting, args.workers, args.naive_sample or None)
        note = ""
        case = "naive baseline: whole HTML per pack"
        if naive["rendered"] < naive["total"]:
            note = " (extrapolated)"
            case += (
                f", {naive['rendered']} of {naive['total']} packs measured in "
                f"{naive['measured_wall']:.1f} s"
            )
        results["naive"] = row(
            case, args.workers, {**naive, "skipped": ""}, wall_note=note
        )

    print()
    full = results["full"]
    if "single" in results:
        speedup = results["single"]["wall"] / full["wall"]
        print(f"throughput 1 -> {args.workers} workers: x{speedup:.2f}")
    if "naive" in results:
        ratio = full["wall"] / results["naive"]["wall"]
        print(f"ratio to the naive baseline: {ratio:.2f}")
    peak = max(r["peak"] for key, r in results.items() if key != "naive")
    print(f"peak worker memory: {peak:.0f} MiB")
    if args.split:
        print_split(meeting, args.split)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def print_split(meeting, count: int):
    split = time_split(meeting, count)
    load = os.getloadavg()
    phases = ("inputs", "layout", "paint", "font", "write", "other")
    print(
        f"time split per pack (in process, {split['packs']} packs, load "
        f"{load[0]:.2f}): "
        + ", ".join(f"{p} {split[p] * 1000:.0f} ms" for p in phases)
        + f"; total {split['total'] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
