"""Benchmark the delegates import: prints figures, asserts nothing it measures.

    .venv/bin/python bench/import_delegates.py [--n 5000] [--delegations 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dialogue_bench_import \\
        .venv/bin/python bench/import_delegates.py

Uses its own database: SQLite in a scratch folder (the embedded default) unless
DATABASE_URL is set (a PostgreSQL database named there is created if missing).
Generates a CSV of N delegates spread over D delegations of a synthetic meeting
(unique emails, two funded delegates per delegation, within the quota of 3),
then imports it through delegations.resources.import_file, the path the admin's
preview (dry run) and confirmation take: every row through save_delegate with
its quota lock, one transaction for the file. Prints seconds for the dry run,
the real run, and a second real run of the same file (every row an update).
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
sys.path.insert(0, str(ROOT))
SCRATCH = tempfile.mkdtemp(prefix="dialogue-bench-import-")
os.environ.setdefault("DIALOGUE_VAR_DIR", SCRATCH)
os.environ.setdefault("MEDIA_ROOT", os.path.join(SCRATCH, "media"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

ROLES = ["head", "counter_terrorism", "security", "adviser", "adviser", "other"]


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


def make_meeting(delegations: int):
    """Create (again) a meeting with the given number of Member State delegations."""
    from delegations.models import Delegation
    from dialogue.models import Meeting

    Meeting.objects.filter(slug="bench-import").delete()
    meeting = Meeting.objects.create(
        slug="bench-import",
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


def make_csv(n: int, delegations: int) -> bytes:
    from delegations.resources.delegates import DELEGATE_COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(DELEGATE_COLUMNS)
    for i in range(n):
        d, k = i % delegations, i // delegations  # k-th delegate of delegation d
        writer.writerow(
            [
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
        )
    return out.getvalue().encode()


def timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<44} {seconds:8.2f} s")
    return value, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--delegations", type=int, default=200)
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.db import connection

    from delegations.models import Delegate
    from delegations.resources import import_file

    meeting = make_meeting(args.delegations)
    data = make_csv(args.n, args.delegations)
    print(
        f"database: {connection.vendor}; {args.n} delegates over "
        f"{args.delegations} delegations; CSV {len(data) / 1024:.0f} KiB; "
        f"{os.cpu_count()} CPU(s)"
    )

    def run(dry_run):
        return import_file(
            data, kind="delegates", file_format="csv", meeting=meeting, dry_run=dry_run
        )

    preview, dry = timed("dry run (admin preview)", lambda: run(True))
    assert Delegate.objects.filter(meeting=meeting).count() == 0
    outcome, real = timed("real run (admin confirm), all new", lambda: run(False))
    _again, update = timed("real run again, all updates", lambda: run(False))
    funded = Delegate.objects.filter(meeting=meeting, funded=True).count()
    print(
        f"problems: preview {len(preview.problems)}, import {len(outcome.problems)}; "
        f"written {outcome.written}; delegates in the meeting "
        f"{Delegate.objects.filter(meeting=meeting).count()}, funded {funded}"
    )
    print(f"preview + confirm: {dry + real:.2f} s (target: under 30 s)")


if __name__ == "__main__":
    main()
