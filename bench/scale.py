"""Benchmark the staff pages at conference scale: prints figures, asserts nothing.

    .venv/bin/python bench/scale.py [--delegations 200] [--participants 20000]
                                    [--sessions 300] [--paragraphs 60]
                                    [--comments 2000] [--repeat 7] [--sqlite]

Generates a conference (tests/scale.py, the generator the query-count test
uses): 200 delegations and 20,000 participants with flights, hotels and links,
300 sessions with speaking slots, a circulated declaration of 60 paragraphs
with 2,000 comments; prints how long that took. Then, for each page, requests
it through Django's test client as a Secretariat user whose session passed the
second factor, in the production profile (DEBUG=0: cached templates, the
manifest static storage over a collectstatic of its own, HTTPS as behind the
proxy), and prints the median of --repeat requests, the fastest, the queries
of one request and the machine's load (os.getloadavg()) as it was measured.
The first row is a baseline measured in the same run: the health check,
through the same middleware.

The database is PostgreSQL (a new database on the server of DATABASE_URL, by
default postgres://postgres@127.0.0.1:5432, dropped at exit), or with --sqlite
a file in a scratch folder. Queued emails go to a file broker in the scratch
folder, which nothing reads.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import (  # noqa: E402 (the checkout on sys.path first)
    load,
    migrate_and_collect,
    production_profile,
    scratch_database,
)

TARGET_MS = 300


def environment(sqlite: bool) -> None:
    """Point this process at a scratch folder, its own database and DEBUG=0."""
    production_profile("scale", "dialogue.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SITE_URL"] = "https://testserver"
    if sqlite:
        os.environ.pop("DATABASE_URL", None)
    else:
        scratch_database("dialogue_bench_scale")
    migrate_and_collect()


def timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    print(f"  {label:<36} {time.perf_counter() - start:7.1f} s", flush=True)
    return value


def generate(args):
    from django.db import connection

    from tests import scale

    print(
        f"database: {connection.vendor}; {os.cpu_count()} CPU(s); load {load()}",
        flush=True,
    )
    start = time.perf_counter()
    conference = scale.generate_conference(
        delegations=args.delegations,
        participants=args.participants,
        sessions=args.sessions,
        paragraphs=args.paragraphs,
        comments=args.comments,
        step=timed,
    )
    user = scale.make_staff()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - start
    print(
        f"generated in {seconds:.1f} s (load {load()}): "
        + ", ".join(f"{key} {value}" for key, value in conference.counts.items()),
        flush=True,
    )
    return conference, user


def verified_client(user):
    """A test client logged in as the user, the second factor passed."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def measure(client, url: str, repeat: int) -> tuple[list[float], int, int]:
    """Return the seconds of each request, the queries of one, and its size."""
    from django.db import connection

    first = client.get(url, secure=True)
    if first.status_code != 200:
        raise SystemExit(f"{url}: HTTP {first.status_code}")
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, secure=True)
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url, secure=True)
        seconds.append(time.perf_counter() - start)
    return seconds, len(queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegations", type=int, default=200)
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--paragraphs", type=int, default=60)
    parser.add_argument("--comments", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sqlite", action="store_true", help="the embedded default")
    parser.add_argument("--only", help="measure only pages whose label has this")
    args = parser.parse_args()

    environment(args.sqlite)
    import django

    django.setup()
    from django.test import override_settings
    from django.urls import reverse

    from tests.scale import focal_point_page, staff_pages

    conference, user = generate(args)
    client = verified_client(user)
    print(
        f"\n{'page':<40} {'median':>8} {'fastest':>8} {'queries':>7} "
        f"{'KiB':>6}  load (1/5/15 min)"
    )
    over = []
    every = [
        ("baseline: health check", reverse("healthz")),
        *staff_pages(conference),
        focal_point_page(conference),
        # The same page rendered at every request: what a change costs once.
        (f"{focal_point_page(conference)[0]}, cache off", None),
    ]
    for label, url in every:
        if args.only and args.only not in label and "baseline" not in label:
            continue
        if url is None:
            url = focal_point_page(conference)[1]
            with override_settings(PAGE_CACHE_SECONDS=0):
                seconds, queries, size = measure(client, url, args.repeat)
        else:
            seconds, queries, size = measure(client, url, args.repeat)
        median = statistics.median(seconds) * 1000
        if median > TARGET_MS:
            over.append(label)
        print(
            f"{label:<40} {median:6.0f} ms {min(seconds) * 1000:5.0f} ms "
            f"{queries:7d} {size / 1024:6.0f}  {load()}",
            flush=True,
        )
    print(
        f"\ntarget ≤ {TARGET_MS} ms: "
        + ("every page meets it" if not over else "over: " + "; ".join(over))
    )


if __name__ == "__main__":
    main()
