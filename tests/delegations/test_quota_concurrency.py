"""The funded quota holds under concurrent transactions on PostgreSQL.

delegations/migrations/0007_funded_count.py says how: a count on the delegation
row that every writer updates, and a check on it.
"""

import threading
import uuid

import psycopg2
import pytest
from django.db import IntegrityError, connection, transaction

from delegations.models import Delegate
from delegations.services import (
    FundedQuotaConflict,
    FundedQuotaExceeded,
    mark_funded,
)
from tests import raw_pg
from tests.factories import DelegateFactory, DelegationFactory
from tests.services import need_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def race(workers: int, attempt) -> list[str]:
    """Run attempt(i) in `workers` threads released at once; return outcomes."""
    barrier = threading.Barrier(workers)
    outcomes = [""] * workers

    def run(i):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = attempt(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_service_calls_fund_at_most_quota():
    need_postgres()
    delegation = DelegationFactory(funded_quota=3)
    candidates = DelegateFactory.create_batch(8, delegation=delegation)

    def attempt(i):
        try:
            with transaction.atomic():
                mark_funded(Delegate.objects.get(pk=candidates[i].pk))
        except FundedQuotaExceeded as exc:
            return "refused: " + exc.messages[0]
        return "funded"

    outcomes = race(8, attempt)
    assert outcomes.count("funded") == 3
    refusals = [o for o in outcomes if o.startswith("refused")]
    assert len(refusals) == 5
    assert all("its quota of 3" in o for o in refusals)
    assert Delegate.objects.filter(delegation=delegation, funded=True).count() == 3


def test_concurrent_raw_updates_blocked_by_trigger_alone():
    """Bypassing the service (shell, raw ORM) still cannot pass the quota."""
    need_postgres()
    delegation = DelegationFactory(funded_quota=3)
    DelegateFactory.create_batch(2, delegation=delegation, funded=True)
    candidates = DelegateFactory.create_batch(6, delegation=delegation)

    def attempt(i):
        try:
            with transaction.atomic():
                Delegate.objects.filter(pk=candidates[i].pk).update(funded=True)
        except IntegrityError as exc:
            return "refused" if "funded quota exceeded" in str(exc) else str(exc)
        return "funded"

    outcomes = race(6, attempt)
    assert sorted(outcomes) == ["funded"] + ["refused"] * 5
    assert Delegate.objects.filter(delegation=delegation, funded=True).count() == 3


# Raw connections at every isolation level -------------------------------------
#
# Ten psycopg2 sessions (not Django's), each reading the delegation first so
# that its snapshot is taken before any of them writes. Whatever the level,
# exactly one write gets through: under READ COMMITTED the others wait on the
# delegation row and the check refuses the count they then make; under
# REPEATABLE READ and SERIALIZABLE they fail to serialize.

RACERS = 10
REFUSED_AT = {
    raw_pg.READ_COMMITTED: raw_pg.CHECK_VIOLATION,
    raw_pg.REPEATABLE_READ: raw_pg.SERIALIZATION_FAILURE,
    raw_pg.SERIALIZABLE: raw_pg.SERIALIZATION_FAILURE,
}
isolation_levels = pytest.mark.parametrize("isolation", raw_pg.ISOLATION_LEVELS)

READ_FUNDING = """
SELECT funded_quota, (SELECT count(*) FROM delegations_delegate
                      WHERE delegation_id = %(id)s AND funded)
FROM delegations_delegation WHERE id = %(id)s
"""

INSERT_FUNDED = """
INSERT INTO {table} (
    name_latin, name_cyrillic, position_en, position_ru, role, sort_order, email,
    phone, preferred_language, funded, dietary_needs, accessibility_needs,
    honorific, meeting_id, delegation_id)
SELECT %(name)s, %(name)s, 'Adviser', 'Советник', 'adviser', 100, '', '', 'ru',
    true, '', '', '', meeting_id, id
FROM delegations_delegation WHERE id = %(id)s
"""


def funding(delegation_id: int) -> tuple[int, int, int]:
    """Return the delegation's quota, funded delegates counted, and funded_count."""
    return raw_pg.query(
        "SELECT funded_quota, (SELECT count(*) FROM delegations_delegate "
        "WHERE delegation_id = d.id AND funded), funded_count "
        "FROM delegations_delegation d WHERE id = %s",
        (delegation_id,),
    )[0]


def read_funding(delegation_id: int):
    return lambda cursor, i: cursor.execute(READ_FUNDING, {"id": delegation_id})


@pytest.fixture
def two_of_three():
    """A delegation with a quota of 3 and 2 funded delegates, committed."""
    delegation = DelegationFactory(funded_quota=3)
    DelegateFactory.create_batch(2, delegation=delegation, funded=True)
    return delegation


def one_through(isolation: str) -> list[str]:
    return sorted([raw_pg.COMMITTED] + [REFUSED_AT[isolation]] * (RACERS - 1))


@isolation_levels
def test_raw_inserts_fund_at_most_the_quota(two_of_three, isolation):
    need_postgres()

    def insert(cursor, i):
        cursor.execute(
            INSERT_FUNDED.format(table="delegations_delegate"),
            {"name": f"Racer {i}", "id": two_of_three.pk},
        )

    outcomes = raw_pg.race(
        RACERS, isolation, read=read_funding(two_of_three.pk), write=insert
    )
    assert sorted(outcomes) == one_through(isolation)
    assert funding(two_of_three.pk) == (3, 3, 3)


@isolation_levels
def test_raw_flips_of_funded_fund_at_most_the_quota(two_of_three, isolation):
    need_postgres()
    unfunded = DelegateFactory.create_batch(RACERS, delegation=two_of_three)

    def flip(cursor, i):
        cursor.execute(
            "UPDATE delegations_delegate SET funded = true WHERE id = %s",
            (unfunded[i].pk,),
        )

    outcomes = raw_pg.race(
        RACERS, isolation, read=read_funding(two_of_three.pk), write=flip
    )
    assert sorted(outcomes) == one_through(isolation)
    assert funding(two_of_three.pk) == (3, 3, 3)


@isolation_levels
def test_raw_moves_into_a_delegation_fund_at_most_its_quota(two_of_three, isolation):
    need_postgres()
    source = DelegationFactory(meeting=two_of_three.meeting, funded_quota=RACERS)
    movers = DelegateFactory.create_batch(RACERS, delegation=source, funded=True)

    def move(cursor, i):
        cursor.execute(
            "UPDATE delegations_delegate SET delegation_id = %s WHERE id = %s",
            (two_of_three.pk, movers[i].pk),
        )

    outcomes = raw_pg.race(
        RACERS, isolation, read=read_funding(two_of_three.pk), write=move
    )
    assert sorted(outcomes) == one_through(isolation)
    assert funding(two_of_three.pk) == (3, 3, 3)
    assert funding(source.pk) == (RACERS, RACERS - 1, RACERS - 1)


@isolation_levels
def test_raw_lowering_the_quota_while_others_insert(two_of_three, isolation):
    need_postgres()
    lowerer = 0

    def write(cursor, i):
        if i == lowerer:
            cursor.execute(
                "UPDATE delegations_delegation SET funded_quota = 2 WHERE id = %s",
                (two_of_three.pk,),
            )
        else:
            cursor.execute(
                INSERT_FUNDED.format(table="delegations_delegate"),
                {"name": f"Racer {i}", "id": two_of_three.pk},
            )

    outcomes = raw_pg.race(
        RACERS, isolation, read=read_funding(two_of_three.pk), write=write
    )
    assert sorted(outcomes) == one_through(isolation)
    if outcomes[lowerer] == raw_pg.COMMITTED:
        assert funding(two_of_three.pk) == (2, 2, 2)
    else:
        assert funding(two_of_three.pk) == (3, 3, 3)


# The control: the same race against 0002's trigger, on scratch tables.

OLD_TRIGGER = """
CREATE FUNCTION {name}_quota() RETURNS trigger AS $$
DECLARE
    quota integer;
    funded_count integer;
BEGIN
    IF NEW.funded IS NOT TRUE THEN
        RETURN NEW;
    END IF;
    SELECT funded_quota INTO quota FROM {name}_delegation
        WHERE id = NEW.delegation_id FOR UPDATE;
    SELECT count(*) INTO funded_count FROM {name}_delegate
        WHERE delegation_id = NEW.delegation_id AND funded AND id <> NEW.id;
    IF funded_count + 1 > quota THEN
        RAISE EXCEPTION 'funded quota exceeded' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name}_quota BEFORE INSERT OR UPDATE OF funded, delegation_id
    ON {name}_delegate FOR EACH ROW EXECUTE FUNCTION {name}_quota();
"""


def test_control_count_trigger_lets_repeatable_read_past_the_quota(two_of_three):
    """With the guard of 0002 in place of the counter, the race passes the quota.

    Copies of the two tables (with the fixture's rows) carry 0002's trigger, so
    the real schema is untouched; they are dropped afterwards.
    """
    need_postgres()
    name = f"quota_control_{uuid.uuid4().hex[:8]}"
    setup = raw_pg.connect()
    setup.autocommit = True
    with setup.cursor() as cursor:
        copies = (
            f"CREATE TABLE {name}_delegation AS SELECT * FROM delegations_delegation;"  # noqa: S608
            f"CREATE TABLE {name}_delegate AS SELECT * FROM delegations_delegate;"  # noqa: S608
            f"ALTER TABLE {name}_delegate ALTER id SET NOT NULL, "
            "ALTER id ADD GENERATED BY DEFAULT AS IDENTITY (START 1000000);"
        )
        cursor.execute(copies + OLD_TRIGGER.format(name=name))
    try:

        def insert(cursor, i):
            cursor.execute(
                INSERT_FUNDED.format(table=f"{name}_delegate"),
                {"name": f"Racer {i}", "id": two_of_three.pk},
            )

        outcomes = raw_pg.race(
            RACERS,
            raw_pg.REPEATABLE_READ,
            read=read_funding(two_of_three.pk),
            write=insert,
        )
        (funded,) = raw_pg.query(
            f"SELECT count(*) FROM {name}_delegate "  # noqa: S608
            "WHERE delegation_id = %s AND funded",
            (two_of_three.pk,),
        )[0]
    finally:
        with setup.cursor() as cursor:
            cursor.execute(
                f"DROP TABLE {name}_delegate; DROP TABLE {name}_delegation; "
                f"DROP FUNCTION {name}_quota();"
            )
        setup.close()
    # Every racer counted 2 of 3 in its snapshot: all ten committed.
    assert outcomes == [raw_pg.COMMITTED] * RACERS
    assert funded == 2 + RACERS
    assert funding(two_of_three.pk) == (3, 2, 2)  # the real tables untouched


# TRUNCATE ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "table", ["delegations_delegation", "delegations_delegate", "dialogue_meeting"]
)
def test_truncate_refused_unless_allowed_on_purpose(two_of_three, table):
    """dialogue_meeting is not guarded itself, but its CASCADE reaches ours."""
    need_postgres()
    raw = raw_pg.connect()
    try:
        with raw.cursor() as cursor:
            with pytest.raises(psycopg2.Error) as refused:
                cursor.execute(f"TRUNCATE {table} CASCADE")
            raw.rollback()
            assert refused.value.pgcode == raw_pg.RESTRICT_VIOLATION
            assert "refused: the funded quota counts its rows" in str(refused.value)
            # The switch from the migration's docstring, rolled back afterwards.
            cursor.execute("SET LOCAL dialogue.allow_truncate = 'on'")
            cursor.execute(f"TRUNCATE {table} CASCADE")
            cursor.execute("SELECT count(*) FROM delegations_delegate")
            assert cursor.fetchone() == (0,)
            raw.rollback()
    finally:
        raw.close()
    assert funding(two_of_three.pk) == (3, 2, 2)


# The services under REPEATABLE READ ---------------------------------------------


def fund_at_repeatable_read(delegate, *, in_callers_transaction: bool) -> dict:
    """Run mark_funded in a thread whose Django session is at REPEATABLE READ.

    Return its outcome and backend pid once it has finished.
    """
    result = {}
    started = threading.Event()

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL "
                    "REPEATABLE READ"
                )
                cursor.execute("SELECT pg_backend_pid()")
                result["pid"] = cursor.fetchone()[0]
            started.set()
            if in_callers_transaction:
                with transaction.atomic():
                    mark_funded(Delegate.objects.get(pk=delegate.pk))
            else:
                mark_funded(Delegate.objects.get(pk=delegate.pk))
            result["outcome"] = "funded"
        except FundedQuotaExceeded as exc:
            result["outcome"] = exc
        finally:
            started.set()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return {"thread": thread, "started": started, "result": result}


def collide_with_funding(delegation, first, second, *, in_callers_transaction):
    """Fund `first` in a raw transaction while mark_funded(second) waits on the
    delegation row; commit, and return mark_funded's outcome."""
    blocker = raw_pg.connect()
    try:
        with blocker.cursor() as cursor:
            cursor.execute(
                "UPDATE delegations_delegate SET funded = true WHERE id = %s",
                (first.pk,),
            )
        racer = fund_at_repeatable_read(
            second, in_callers_transaction=in_callers_transaction
        )
        racer["started"].wait(timeout=10)
        # mark_funded's first statement has its snapshot and waits on the lock.
        raw_pg.wait_until_blocked([racer["result"]["pid"]])
        blocker.commit()
    finally:
        blocker.close()
    racer["thread"].join(timeout=30)
    return racer["result"]["outcome"]


def test_service_starts_again_after_a_write_it_could_not_serialize():
    """Outside a transaction, mark_funded's second run sees the other's funding."""
    need_postgres()
    delegation = DelegationFactory(funded_quota=3, name_en="Tajikistan")
    DelegateFactory(delegation=delegation, funded=True)
    first, second = DelegateFactory.create_batch(2, delegation=delegation)

    outcome = collide_with_funding(
        delegation, first, second, in_callers_transaction=False
    )
    assert outcome == "funded"
    assert funding(delegation.pk) == (3, 3, 3)


def test_service_in_a_callers_transaction_says_changed_at_the_same_moment():
    """Inside someone else's transaction it cannot start again: it says why."""
    need_postgres()
    delegation = DelegationFactory(funded_quota=3, name_en="Tajikistan")
    DelegateFactory(delegation=delegation, funded=True, name_latin="Sirojiddin Aslov")
    first, second = DelegateFactory.create_batch(2, delegation=delegation)

    outcome = collide_with_funding(
        delegation, first, second, in_callers_transaction=True
    )
    assert isinstance(outcome, FundedQuotaConflict)
    assert outcome.code == "concurrent_change"
    assert outcome.messages == [
        "Tajikistan was changed by someone else at the same moment, so nothing "
        "was saved. Its quota is 3; funded: Sirojiddin Aslov. Try again."
    ]
    assert funding(delegation.pk) == (3, 2, 2)
