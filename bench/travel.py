"""Benchmark the travel desk's money side: prints figures, asserts nothing.

    .venv/bin/python bench/travel.py [--n 193] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/travel.py

Uses its own database, as bench/packs.py does: SQLite in a scratch folder, or
with DATABASE_URL a new PostgreSQL database dialogue_bench_travel_<pid> on that
server, dropped at exit. Builds a meeting of N delegations x 3 funded
delegates, each with a round trip (a quarter of them requested, a quarter in
EUR), a hotel stay (every fifth one provided by the host), a payment for half
of them and a visa fee for a third, then measures:

- entitlements for every seat: the first computation (every row created),
  a second one (nothing changed, nothing written), and one delegation after
  a flight edit (what the change listener's task does);
- the budget selector alone, and the budget page as the admin serves it
  (Django's test client in this process: server time, no network), with its
  query count; and the PDF summary laid out and written (EN).

Baseline, measured in the same run: the one query the fares-only budget ran
(every funded non-cancelled leg, values only). Every figure is printed with
the machine's load average (1 min) at the time.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = tempfile.mkdtemp(prefix="dialogue-bench-travel-")
os.environ.setdefault("DIALOGUE_VAR_DIR", SCRATCH)
os.environ.setdefault("MEDIA_ROOT", os.path.join(SCRATCH, "media"))

from bench.packs import ensure_database  # noqa: E402  (a fresh database per run)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

UTC = datetime.UTC


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def make_meeting(n: int):
    """Create the meeting, its rules and N delegations x 3 funded delegates."""
    from delegations.models import Delegate, Delegation, FlightLeg, HotelStay
    from dialogue.models import Meeting
    from travel.models import Payment, StayProvision, TravelRules, VisaFee

    meeting = Meeting.objects.create(
        slug="bench-travel",
        title_en="High-Level Dialogue (travel benchmark)",
        title_ru="Диалог высокого уровня (тест поездок)",
        short_title_en="Travel benchmark",
        short_title_ru="Тест поездок",
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
        background_en="-",
        background_ru="-",
        objectives_en="-",
        objectives_ru="-",
        format_en="-",
        format_ru="-",
        participants_en="-",
        participants_ru="-",
        expected_outcomes_en="-",
        expected_outcomes_ru="-",
    )
    TravelRules.objects.create(
        meeting=meeting,
        dsa_label_en="Ashgabat (benchmark sample)",
        dsa_label_ru="Ашхабад (образец для теста)",
        dsa_rate=Decimal("180.00"),
        accommodation_reduction=Decimal(50),
        meals_reduction=Decimal(20),
        terminal_expense=Decimal("38.00"),
        budget_line_code="BENCH-1",
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
    delegates = Delegate.objects.bulk_create(
        Delegate(
            meeting=meeting,
            delegation=d,
            name_latin=f"Delegate {d.sort_order:03d}-{j}",
            name_cyrillic=f"Делегат {d.sort_order:03d}-{j}",
            position_en="Minister",
            position_ru="Министр",
            role="head",
            sort_order=j,
            funded=True,
        )
        for d in delegations
        for j in range(3)
    )
    base = datetime.datetime(2017, 6, 12, 3, 0, tzinfo=UTC)
    legs, stays = [], []
    for k, person in enumerate(delegates):
        status = "requested" if k % 4 == 0 else "ticketed"
        currency = "EUR" if k % 4 == 1 else "USD"
        for outbound in (True, False):
            start = base if outbound else base + datetime.timedelta(days=2, hours=4)
            legs.append(
                FlightLeg(
                    delegate=person,
                    carrier="Air Astana",
                    flight_number=f"KC{k % 900 + (100 if outbound else 1000)}",
                    from_airport="NQZ" if outbound else "ASB",
                    to_airport="ASB" if outbound else "NQZ",
                    departs_at=start,
                    arrives_at=start + datetime.timedelta(hours=2, minutes=45),
                    status=status,
                    fare=Decimal("412.00"),
                    currency=currency,
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
    stays = HotelStay.objects.bulk_create(stays)
    StayProvision.objects.bulk_create(
        StayProvision(stay=stay, accommodation_provided=True) for stay in stays[::5]
    )
    Payment.objects.bulk_create(
        Payment(
            delegate=person,
            amount=Decimal("360.00"),
            currency="USD",
            paid_on=datetime.date(2017, 6, 5),
            method="bank_transfer",
            reference=f"PV-{person.pk}",
        )
        for person in delegates[::2]
    )
    VisaFee.objects.bulk_create(
        VisaFee(
            delegate=person,
            amount=Decimal("60.00"),
            currency="USD",
            paid_on=datetime.date(2017, 5, 30),
        )
        for person in delegates[::3]
    )
    return meeting


def timed(function, repeat: int) -> tuple[float, object]:
    """Return the median seconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=193, help="delegations")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from delegations.models import FlightLeg
    from delegations.services import save_flight_leg
    from travel.models import Entitlement
    from travel.pdf import render_summary_pdf
    from travel.selectors import budget
    from travel.services import recompute_entitlements

    setup_test_environment()
    # As the test client does in tests: the connection stays open between
    # requests (the production profile keeps it with CONN_MAX_AGE).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    print(
        f"# bench/travel.py: N={args.n} delegations x 3 funded delegates, "
        f"{connection.vendor}, {os.cpu_count()} CPUs"
    )
    start = time.perf_counter()
    meeting = make_meeting(args.n)
    seats = args.n * 3
    print(f"made the meeting in {time.perf_counter() - start:.1f} s ({load()})")

    def baseline():
        return list(
            FlightLeg.objects.filter(delegate__meeting=meeting, delegate__funded=True)
            .exclude(status="cancelled")
            .values_list("delegate__delegation__name_en", "currency", "status", "fare")
        )

    seconds, rows = timed(baseline, args.repeat)
    print(
        f"baseline: the fares-only budget's one query, {len(rows)} legs: "
        f"{seconds * 1000:.1f} ms ({load()})"
    )

    start = time.perf_counter()
    result = recompute_entitlements(meeting)
    first = time.perf_counter() - start
    print(
        f"entitlements for every seat, first computation ({result.created} "
        f"created of {seats} seats): {first:.2f} s ({load()})"
    )
    seconds, result = timed(lambda: recompute_entitlements(meeting), args.repeat)
    print(
        f"entitlements for every seat, nothing changed ({result.unchanged} "
        f"unchanged): {seconds:.2f} s ({load()})"
    )

    leg = FlightLeg.objects.filter(delegate__meeting=meeting, from_airport="ASB")
    leg = leg.select_related("delegate").order_by("id").first()
    leg.departs_at += datetime.timedelta(days=1)
    leg.arrives_at += datetime.timedelta(days=1)
    save_flight_leg(leg)  # outside a transaction: the task is queued, not run
    delegation_ids = [leg.delegate.delegation_id]
    start = time.perf_counter()
    result = recompute_entitlements(meeting, delegation_ids=delegation_ids)
    one = time.perf_counter() - start
    print(
        f"one delegation after a flight edit ({result.changed} changed, "
        f"{result.flagged} flagged): {one * 1000:.1f} ms ({load()})"
    )
    assert Entitlement.objects.filter(delegate__meeting=meeting).count() == seats

    seconds, report = timed(lambda: budget(meeting), args.repeat)
    print(
        f"budget selector: {len(report.rows)} rows, {len(report.seat_lines)} "
        f"seat lines: {seconds * 1000:.0f} ms ({load()})"
    )

    user = get_user_model().objects.create_superuser("bench", "b@example.org", None)
    client = Client()
    client.force_login(user)
    url = f"/admin/travel/entitlement/budget/?meeting={meeting.pk}"
    client.get(url)  # warm templates and the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    count = len(queries.captured_queries)  # the next request resets the log
    seconds, _response = timed(lambda: client.get(url), args.repeat)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(client.get, url)
        pstats.Stats(profiler).sort_stats("cumulative").sort_stats(
            "tottime"
        ).print_stats(14)
    print(
        f"budget page (server time, median of {args.repeat}): "
        f"{seconds * 1000:.0f} ms, {count} queries, "
        f"{len(response.content) // 1024} KB ({load()})"
    )

    from dialogue.fonts import warm_fonts

    start = time.perf_counter()
    warm_fonts()  # a worker does it once when it starts (register_warmup)
    print(
        f"font instances built (once per machine): "
        f"{time.perf_counter() - start:.1f} s ({load()})"
    )
    start = time.perf_counter()
    pdf, pages = render_summary_pdf(meeting, "en")
    print(
        f"PDF summary (EN): {pages} pages, {len(pdf) // 1024} KB in "
        f"{time.perf_counter() - start:.1f} s ({load()})"
    )


if __name__ == "__main__":
    main()
