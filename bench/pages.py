"""Benchmark the participant pages against hello-world under gunicorn: prints figures.

    .venv/bin/python bench/pages.py [--rounds 3] [--seconds 5] [--connections 4]
                                    [--delegations 50] [--participants 2000]

Generates a meeting (tests/scale.py, the generator bench/scale.py uses) on a
PostgreSQL database of its own (dialogue_bench_pages_<pid> on the server of
DATABASE_URL, default postgres://postgres@127.0.0.1:5432, dropped at exit),
then starts two gunicorns the way scripts/production does (2 workers,
DEBUG=0, the portal's middleware, CACHE_URL on Redis, default
redis://127.0.0.1:6379/10, flushed first):

- one as production runs (PAGE_CACHE_SECONDS=600),
- one with the page cache off (PAGE_CACHE_SECONDS=0): every request renders.

Both serve bench/web_urls.py: the portal's URLs and /bench/hello/, a view
that returns "Hello, world" through the same middleware, the baseline.
wrk (Debian's `wrk`) then loads, in turn and for several rounds, hello-world,
a delegate's page and a focal point's page on each, so that a change of the
machine's load (other work on it) touches every figure alike. Printed: req/s
of each run with the load (os.getloadavg()), the median of the rounds, each
page's ratio to hello-world, and the queries of one request on a hit and on a
miss (counted in this process through Django's test client).
"""

import argparse
import atexit
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import (  # noqa: E402 (the checkout on sys.path first)
    load,
    migrate_and_collect,
    production_profile,
    scratch_database,
)

TARGET_RATIO = 0.25


def environment(cache_url: str) -> None:
    """Point this process at a scratch folder, its own database and DEBUG=0."""
    production_profile("pages", "bench.web_settings")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ["SITE_URL"] = "http://127.0.0.1"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["CACHE_URL"] = cache_url
    scratch_database("dialogue_bench_pages")
    migrate_and_collect()


def generate(args) -> dict[str, str]:
    """Return {label: path} of the pages to load, after making the meeting."""
    from django.core.cache import cache
    from django.db import connection

    from delegations.models import AccessLink, Delegate
    from tests import scale

    start = time.perf_counter()
    conference = scale.generate_conference(
        delegations=args.delegations,
        participants=args.participants,
        sessions=args.sessions,
        paragraphs=args.paragraphs,
        comments=args.comments,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    cache.clear()
    print(
        f"generated in {time.perf_counter() - start:.1f} s (load {load()}): "
        + ", ".join(f"{key} {value}" for key, value in conference.counts.items()),
        flush=True,
    )
    # A typical delegation (not the largest): a funded delegate who flies.
    delegation = conference.delegations[len(conference.delegations) // 2]
    delegate = (
        Delegate.objects.filter(
            delegation=delegation, funded=True, flights__isnull=False
        )
        .order_by("sort_order", "id")
        .first()
    )
    link = AccessLink.objects.get(delegate=delegate, revoked_at__isnull=True)
    return {
        "delegate page": f"/l/{link.token}/",
        "focal-point page": f"/l/{conference.focal_point_tokens[delegation.pk]}/",
    }


def queries_per_request(pages: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """Return {label: (queries on a miss, on a hit, bytes)} in this process."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for label, path in pages.items():
        cache.clear()
        client.get(path)  # the first opening is written (once per 5 minutes)
        cache.clear()
        with CaptureQueriesContext(connection) as miss:
            assert client.get(path).status_code == 200
        with CaptureQueriesContext(connection) as hit:
            response = client.get(path)
            assert response.status_code == 200
        counts[label] = (len(miss), len(hit), len(response.content))
    cache.clear()
    return counts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(page_cache_seconds: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PAGE_CACHE_SECONDS": str(page_cache_seconds)}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "dialogue.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    atexit.register(stop, process)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/bench/hello/", timeout=1).read()  # noqa: S310
            return process, base
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{url}: non-2xx answers\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--delegations", type=int, default=50)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--paragraphs", type=int, default=30)
    parser.add_argument("--comments", type=int, default=300)
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10"),
    )
    args = parser.parse_args()

    environment(args.cache_url)
    import django

    django.setup()
    print(f"{os.cpu_count()} CPU(s); load {load()}", flush=True)
    pages = generate(args)
    queries = queries_per_request(pages)
    cached, cached_base = start_gunicorn(600)
    uncached, uncached_base = start_gunicorn(0)
    targets = [("hello-world", cached_base, "/bench/hello/")]
    for label, path in pages.items():
        targets.append((label, cached_base, path))
        targets.append((f"{label}, cache off", uncached_base, path))
    for _, base, path in targets:  # warm both workers of each server
        for _ in range(4):
            urllib.request.urlopen(base + path, timeout=30).read()  # noqa: S310
    figures: dict[str, list[float]] = {label: [] for label, _, _ in targets}
    print(f"\n{'round':<6} {'target':<34} {'req/s':>8}  load (1/5/15 min)")
    for number in range(1, args.rounds + 1):
        for label, base, path in targets:
            rate = wrk(base + path, args.seconds, args.connections)
            figures[label].append(rate)
            print(f"{number:<6} {label:<34} {rate:8.0f}  {load()}", flush=True)
    hello = statistics.median(figures["hello-world"])
    print(
        f"\n{'median of rounds':<34} {'req/s':>8} {'ratio':>6} "
        f"{'queries':>8} {'KiB':>5}"
    )
    for label, rates in figures.items():
        median = statistics.median(rates)
        counts = queries.get(label.split(",")[0])
        shown = ""
        if counts:
            miss, hit, size = counts
            shown = f"{miss if 'cache off' in label else hit:>8} {size / 1024:5.0f}"
        print(f"{label:<34} {median:8.0f} {median / hello:6.2f} {shown}")
    ratio = statistics.median(figures["delegate page"]) / hello
    print(
        f"\ntarget: delegate page ≥ {TARGET_RATIO} × hello-world: "
        + ("met" if ratio >= TARGET_RATIO else "NOT met")
        + f" ({ratio:.2f}); load at the end {load()}"
    )
    stop(cached)
    stop(uncached)


if __name__ == "__main__":
    main()
