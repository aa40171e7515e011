"""Benchmark the briefing packs: prints figures, asserts nothing.

    .venv/bin/python bench/packs.py [--n 8] [--workers 2] [--skip-naive]

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
  one delegate's flight edited; and the naive baseline: plain WeasyPrint
  laying out and writing each pack's whole HTML separately, in W processes.
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
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            [
                "psql",
                url.rsplit("/", 1)[0] + "/postgres",
                "-qc",
                f"CREATE DATABASE {name}",
            ],
            capture_output=True,
        )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True
    )


def make_meeting(n: int):
    """Create (again) a meeting of n delegations x 3 delegates with flights."""
    from delegations.models import Delegate, Delegation, FlightLeg, HotelStay
    from dialogue.models import Meeting

    Meeting.objects.filter(slug="bench").delete()
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
                text_en=sentence_en * (6 + (i % 3))
                + ("Amended." if number == 2 and i % 7 == 0 else ""),
                text_ru=sentence_ru * (6 + (i % 3))
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
    """W real Celery worker processes, and their peak memory from /proc."""

    def __init__(self, concurrency: int):
        self.concurrency = concurrency
        self.peak_kib = 0

    def __enter__(self):
        from dialogue.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dialogue",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={self.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"bench{os.getpid()}@%h",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(SCRATCH) / "worker.log", "a"),  # noqa: SIM115
            start_new_session=True,
        )
        time.sleep(4)  # let the pool start, so start-up is not counted
        return self

    def sample(self):
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.getpgid(int(pid)) != self.process.pid:
                    continue
                status = Path(f"/proc/{pid}/status").read_text()
            except (OSError, ProcessLookupError):
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_kib = max(self.peak_kib, int(line.split()[1]))

    def __exit__(self, *exc):
        self.sample()
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=60)


def run_render(meeting, concurrency, *, clear=False):
    """Return (wall seconds, rendered, skipped, pages, peak MiB) for one run."""
    from dialogue.models import Pack
    from dialogue.services import queue_packs

    if clear:
        Pack.objects.filter(meeting=meeting).delete()
    with Workers(concurrency) as workers:
        started = time.monotonic()
        result = queue_packs(meeting, languages=LANGS)
        pending = Pack.objects.filter(pk__in=result.queued)
        while pending.filter(status__in=["queued", "rendering"]).exists():
            workers.sample()
            time.sleep(0.1)
        wall = time.monotonic() - started
    failed = pending.filter(status="failed").count()
    if failed:
        print(f"  !! {failed} failed:", pending.filter(status="failed").first().error)
    pages = sum(Pack.objects.filter(meeting=meeting).values_list("pages", flat=True))
    return wall, len(result.queued), result.skipped, pages, workers.peak_kib / 1024


def naive_one(args):
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
    pdf = renderer().render_whole(
        lang,
        shared={lang: shared_content(data, lang)},
        own={lang: own_content(delegation, meeting, lang)},
    )
    return len(pdf)


def run_naive(meeting, processes):
    from django.db import connections

    from delegations.models import Delegation

    jobs = [
        (meeting.pk, d, lang)
        for d in Delegation.objects.filter(meeting=meeting).values_list("pk", flat=True)
        for lang in LANGS
    ]
    connections.close_all()
    started = time.monotonic()
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(naive_one, jobs, chunksize=1))
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-single", action="store_true")
    args = parser.parse_args()
    ensure_database()
    setup_django()
    from delegations.models import FlightLeg
    from dialogue.packs.fetcher import warm_fonts

    warm_fonts()  # once per machine; not part of any case
    meeting = make_meeting(args.n)
    packs = args.n * len(LANGS)
    print(f"N={args.n} delegations x 3 delegates, {packs} packs (EN, RU)")
    print("| case | workers | rendered | skipped | pages | wall s | peak MiB |")
    print("|---|---|---|---|---|---|---|")

    def row(case, workers, result):
        wall, rendered, skipped, pages, peak = result
        print(
            f"| {case} | {workers} | {rendered} | {skipped} | {pages} | "
            f"{wall:.1f} | {peak:.0f} |",
            flush=True,
        )
        return wall

    single = None
    if not args.skip_single:
        single = row("full set", 1, run_render(meeting, 1, clear=True))
    full = row("full set", args.workers, run_render(meeting, args.workers, clear=True))
    row("nothing changed", args.workers, run_render(meeting, args.workers))
    flight = FlightLeg.objects.filter(delegate__meeting=meeting).first()
    flight.departs_at -= datetime.timedelta(minutes=15)
    flight.save()
    row("one flight edited", args.workers, run_render(meeting, args.workers))
    if single:
        print(f"throughput 1 -> {args.workers} workers: x{single / full:.2f}")
    if not args.skip_naive:
        naive = run_naive(meeting, args.workers)
        print(f"naive baseline ({args.workers} processes): {naive:.1f} s wall")
        print(f"ratio to naive: {full / naive:.2f}")


if __name__ == "__main__":
    main()
