"""Benchmark the delegates import: prints figures, asserts nothing it measures.

    .venv/bin/python bench/import_delegates.py [--n 5000] [--delegations 200]
    .venv/bin/python bench/import_delegates.py --worker --n 60000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dialogue_bench_import \\
        CELERY_BROKER_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/import_delegates.py --worker --n 60000

Uses its own database: SQLite in a scratch folder (the embedded default) unless
DATABASE_URL is set (a PostgreSQL database named there is created if missing).
Generates a CSV of N delegates spread over D delegations of a synthetic meeting
(unique emails, two funded delegates per delegation, within the quota of 3).

Without --worker it imports the file in this process through
delegations.resources.import_file, the path the worker's preview (dry run) and
import take: every row checked by validate_delegate (the quota through a
FundedLedger), written a batch of 1,000 at a time, one transaction for the
file; it prints seconds for the dry run, the real run, and a second real run of
the same file (every row an update), each with the machine's load average.

With --worker it goes the admin's way: a real Celery worker (on the broker of
CELERY_BROKER_URL, else the file broker in the scratch folder) runs the import
job's preview and then, once confirmed, the import; it prints the seconds each
phase took in the worker and until this process saw it finished.

make_meeting and make_csv are also used by tests/production/test_import_large.py.
"""

import argparse
import csv
import datetime
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = ["head", "counter_terrorism", "security", "adviser", "adviser", "other"]


def scratch_environment() -> str:
    """Point this process (and the worker it starts) at a scratch folder."""
    sys.path.insert(0, str(ROOT))
    scratch = tempfile.mkdtemp(prefix="dialogue-bench-import-")
    os.environ.setdefault("DIALOGUE_VAR_DIR", scratch)
    os.environ.setdefault("MEDIA_ROOT", os.path.join(scratch, "media"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return scratch


def ensure_database() -> None:
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


def make_meeting(delegations: int, slug: str = "bench-import"):
    """Create (again) a meeting with the given number of Member State delegations."""
    from delegations.models import Delegation
    from dialogue.models import Meeting

    Meeting.objects.filter(slug=slug).delete()
    meeting = Meeting.objects.create(
        slug=slug,
        title_en="High-Level Dialogue (import benchmark)",
        title_ru="Диалог высокого уровня (тест импорта)",
        short_title_en="Benchmark",
        short_title_ru="Тест",
        start_date=datetime.date(2017, 6, 13),
        end_date=datetime.date(2017, 6, 13),
        time_zone="Asia/Ashgabat",
        venue_en="Yyldyz Hotel",
        venue_ru="Гостиница «Йылдыз»",
        city_en="Ashgabat",
        city_ru="Ашхабад",
        country_code="TM",
        venue_airport="ASB",
    )
    Delegation.objects.bulk_create(
        Delegation(
            meeting=meeting,
            kind="member_state",
            name_en=f"State {i:03d}",
            name_ru=f"Государство {i:03d}",
            funded_quota=3,
            sort_order=i,
        )
        for i in range(delegations)
    )
    return meeting


def make_csv(n: int, delegations: int, *, spoil=None) -> bytes:
    """Return a CSV of n valid delegates over the meeting's delegations.

    spoil(i, row) may return a changed row (a list in DELEGATE_COLUMNS order)
    to make a file with refused rows.
    """
    from delegations.resources.delegates import DELEGATE_COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(DELEGATE_COLUMNS)
    for i in range(n):
        d, k = i % delegations, i // delegations  # k-th delegate of delegation d
        row = [
            f"State {d:03d}",
            f"Delegate Number{i:05d}",
            f"Делегат Номер{i:05d}",
            "Adviser",
            "Советник",
            ROLES[k % len(ROLES)],
            f"delegate{i:05d}@mfa{d:03d}.example",
            f"+99312{100000 + i:06d}",
            "ru" if i % 3 else "en",
            "yes" if k < 2 else "no",
            "vegetarian" if i % 7 == 0 else "",
            "",
        ]
        writer.writerow(spoil(i, row) if spoil else row)
    return out.getvalue().encode()


def load() -> str:
    """The machine's load average (1, 5, 15 min): other work on the cores."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:8.2f} s   load {load()}")
    return value, seconds


def in_process(meeting, data) -> None:
    from delegations.models import Delegate
    from delegations.resources import import_file

    def run(dry_run):
        return import_file(
            data, kind="delegates", file_format="csv", meeting=meeting, dry_run=dry_run
        )

    preview, dry = timed("dry run (the preview)", lambda: run(True))
    assert Delegate.objects.filter(meeting=meeting).count() == 0
    outcome, real = timed("real run (the import), all new", lambda: run(False))
    _again, update = timed("real run again, all updates", lambda: run(False))
    funded = Delegate.objects.filter(meeting=meeting, funded=True).count()
    print(
        f"problems: preview {len(preview.problems)}, import {len(outcome.problems)}; "
        f"written {outcome.written}; delegates in the meeting "
        f"{Delegate.objects.filter(meeting=meeting).count()}, funded {funded}"
    )
    print(f"preview + import: {dry + real:.2f} s")


def start_worker(queue: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dialogue",
            "worker",
            "--loglevel=WARNING",
            "--concurrency=1",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )


def wait_for_phase(job, statuses: set, label: str) -> float:
    """Return the seconds until the job reached one of the statuses."""
    from delegations.imports import job_progress

    start = time.perf_counter()
    shown = -1
    while True:
        job.refresh_from_db()
        done, total = job_progress(job)
        if total and done * 10 // total != shown:
            shown = done * 10 // total
            print(f"  {label}: {done} / {total}", flush=True)
        if job.status in statuses:
            return time.perf_counter() - start
        time.sleep(0.5)


def in_worker(meeting, data) -> None:
    import resource
    import signal

    from django.contrib.auth import get_user_model

    from delegations.imports import confirm_import, start_import_preview
    from delegations.models import Delegate
    from dialogue.celery import app

    queue = f"bench-import-{os.getpid()}"
    app.conf.task_default_queue = queue
    worker = start_worker(queue)
    try:
        user, _new = get_user_model().objects.get_or_create(username="bench")
        job = start_import_preview(
            data,
            user=user,
            meeting=meeting,
            kind="delegates",
            file_format="csv",
            original_name="bench.csv",
            language="en",
        )
        seen = wait_for_phase(job, {"previewed", "refused", "failed"}, "preview")
        assert job.status == "previewed", (job.status, job.error, job.problems[:3])
        preview = (job.finished_at - job.started_at).total_seconds()
        print(f"{'preview in the worker':<44} {preview:8.2f} s   load {load()}")
        print(f"{'  upload to preview shown':<44} {seen:8.2f} s")
        confirm_import(job, user=user)
        seen = wait_for_phase(job, {"done", "refused", "failed"}, "import")
        assert job.status == "done", (job.status, job.error)
        real = (job.finished_at - job.started_at).total_seconds()
        print(f"{'import in the worker, all new':<44} {real:8.2f} s   load {load()}")
        print(f"{'  confirm to result shown':<44} {seen:8.2f} s")
        print(
            f"written: {job.rows_new} new; delegates in the meeting "
            f"{Delegate.objects.filter(meeting=meeting).count()}"
        )
        print(f"preview + import in the worker: {preview + real:.2f} s")
    finally:
        worker.terminate()  # a warm shutdown: the worker stops its children
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"worker's peak memory (largest process): {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--delegations", type=int, default=200)
    parser.add_argument(
        "--worker", action="store_true", help="run the import job in a Celery worker"
    )
    args = parser.parse_args()

    scratch_environment()
    ensure_database()
    import django

    django.setup()
    from django.db import connection

    meeting = make_meeting(args.delegations)
    data = make_csv(args.n, args.delegations)
    print(
        f"database: {connection.vendor}; {args.n} delegates over "
        f"{args.delegations} delegations; CSV {len(data) / 1024:.0f} KiB; "
        f"{os.cpu_count()} CPU(s); load before {load()}"
    )
    (in_worker if args.worker else in_process)(meeting, data)


if __name__ == "__main__":
    main()
