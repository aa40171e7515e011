"""Races between raw psycopg2 connections to the test database (PostgreSQL).

Not Django's connection: each racer is its own session at the isolation level
the test names (as a hostile client would set it), so what holds is the
database's rules alone, not a service's checks.
"""

import threading
import time
from collections.abc import Callable

import psycopg2
from django.db import connection

READ_COMMITTED = "READ COMMITTED"
REPEATABLE_READ = "REPEATABLE READ"
SERIALIZABLE = "SERIALIZABLE"
ISOLATION_LEVELS = [READ_COMMITTED, REPEATABLE_READ, SERIALIZABLE]

COMMITTED = "committed"
SERIALIZATION_FAILURE = "40001"
CHECK_VIOLATION = "23514"
EXCLUSION_VIOLATION = "23P01"
RESTRICT_VIOLATION = "23001"


def connect(isolation: str | None = None):
    """Return a new psycopg2 connection to the test database (not autocommit).

    With isolation, the session's transactions run at that level
    (SET SESSION CHARACTERISTICS, as a client outside Django would).
    """
    db = connection.settings_dict
    raw = psycopg2.connect(
        dbname=db["NAME"],
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )
    if isolation:
        with raw.cursor() as cursor:
            cursor.execute(
                "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL "
                + isolation
            )
        raw.commit()
    return raw


def query(sql: str, params=()) -> list[tuple]:
    """Return the rows of one statement run in a fresh autocommit session."""
    raw = connect()
    raw.autocommit = True
    try:
        with raw.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        raw.close()


def race(
    workers: int,
    isolation: str,
    *,
    read: Callable,
    write: Callable,
) -> list[str]:
    """Run `workers` transactions that overlap for certain; return each outcome.

    Each racer opens its transaction with read(cursor, i), so its snapshot is
    taken, waits at a barrier until every racer has read, then runs
    write(cursor, i) and commits. The outcome is "committed" or the SQLSTATE
    that refused it (the write or the commit).
    """
    barrier = threading.Barrier(workers, timeout=30)
    outcomes = [""] * workers
    connections = [connect(isolation) for _ in range(workers)]

    def run(i):
        raw = connections[i]
        try:
            with raw.cursor() as cursor:
                read(cursor, i)
                barrier.wait()
                write(cursor, i)
            raw.commit()
            outcomes[i] = COMMITTED
        except psycopg2.Error as exc:
            raw.rollback()
            outcomes[i] = exc.pgcode or str(exc)
        finally:
            raw.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def wait_until_blocked(pids: list[int], *, timeout: float = 20) -> None:
    """Return once every backend in pids waits for a lock; fail after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (count,) = query(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE pid = ANY(%s) AND wait_event_type = 'Lock'",
            (pids,),
        )[0]
        if count == len(pids):
            return
        time.sleep(0.05)
    raise AssertionError(f"backends {pids} did not all wait for a lock")
