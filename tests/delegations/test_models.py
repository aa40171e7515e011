"""The rules the database holds, written through the ORM past every form and
service: a raw save(), bulk_create() and update(), on SQLite and PostgreSQL."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from delegations.models import Delegate, HotelStay
from delegations.services import save_hotel_stay
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    HotelStayFactory,
    MeetingFactory,
)
from tests.services import need_postgres

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2017, 6, 1)


def day(n: int) -> datetime.date:
    return JUNE.replace(day=n)


def refused():
    """Expect the database's refusal, inside its own savepoint."""
    return pytest.raises(IntegrityError)


# Funded quota: the trigger (delegations/migrations/0002) ----------------------


def test_database_refuses_fourth_funded_through_bulk_create():
    delegation = DelegationFactory(funded_quota=3)
    DelegateFactory.create_batch(3, delegation=delegation, funded=True)
    extra = DelegateFactory.build(delegation=delegation, funded=True)
    extra.meeting_id = delegation.meeting_id
    with refused(), transaction.atomic():
        Delegate.objects.bulk_create([extra])
    assert Delegate.objects.filter(delegation=delegation, funded=True).count() == 3


def test_database_refuses_funding_a_whole_list_past_the_quota_by_update():
    delegation = DelegationFactory(funded_quota=3)
    DelegateFactory.create_batch(4, delegation=delegation)
    with refused(), transaction.atomic():
        Delegate.objects.filter(delegation=delegation).update(funded=True)
    assert Delegate.objects.filter(delegation=delegation, funded=True).count() == 0


# Unique email regardless of case: the LOWER(email) index --------------------


def test_database_refuses_email_differing_only_in_case_on_save():
    existing = DelegateFactory(email="minister@mfa.example")
    twin = DelegateFactory.build(
        delegation=existing.delegation, email="Minister@MFA.example"
    )
    with refused(), transaction.atomic():
        twin.save()
    assert Delegate.objects.count() == 1


def test_database_refuses_email_differing_only_in_case_in_bulk_create():
    delegation = DelegationFactory()
    rows = [
        DelegateFactory.build(delegation=delegation, email=email)
        for email in ("adviser@mfa.example", "ADVISER@mfa.example")
    ]
    for row in rows:
        row.meeting_id = delegation.meeting_id
    with refused(), transaction.atomic():
        Delegate.objects.bulk_create(rows)
    assert Delegate.objects.count() == 0


def test_database_refuses_email_differing_only_in_case_by_update():
    first = DelegateFactory(email="first@mfa.example")
    second = DelegateFactory(delegation=first.delegation, email="second@mfa.example")
    with refused(), transaction.atomic():
        Delegate.objects.filter(pk=second.pk).update(email="FIRST@mfa.example")
    second.refresh_from_db()
    assert second.email == "second@mfa.example"


def test_database_allows_many_empty_emails_and_one_email_at_two_meetings():
    delegation = DelegationFactory()
    DelegateFactory.create_batch(2, delegation=delegation, email="")
    DelegateFactory(delegation=delegation, email="same@mfa.example")
    DelegateFactory(delegation__meeting=MeetingFactory(), email="SAME@mfa.example")
    assert Delegate.objects.count() == 4


# Hotel stays of one delegate never overlap: exclusion constraint / triggers --


def test_database_refuses_overlapping_stay_on_save():
    first = HotelStayFactory(check_in=day(12), check_out=day(14))
    overlapping = HotelStayFactory.build(
        delegate=first.delegate, check_in=day(13), check_out=day(15)
    )
    with refused(), transaction.atomic():
        overlapping.save()
    inside = HotelStayFactory.build(
        delegate=first.delegate, check_in=day(10), check_out=day(20)
    )
    with refused(), transaction.atomic():
        inside.save()
    assert HotelStay.objects.count() == 1


def test_database_refuses_overlapping_stays_in_bulk_create():
    delegate = DelegateFactory()
    stays = [
        HotelStayFactory.build(delegate=delegate, check_in=day(a), check_out=day(b))
        for a, b in ((12, 14), (13, 15))
    ]
    with refused(), transaction.atomic():
        HotelStay.objects.bulk_create(stays)
    assert HotelStay.objects.count() == 0


def test_database_refuses_moving_a_stay_over_another_by_update():
    first = HotelStayFactory(check_in=day(12), check_out=day(14))
    later = HotelStayFactory(
        delegate=first.delegate, check_in=day(14), check_out=day(16)
    )
    with refused(), transaction.atomic():
        HotelStay.objects.filter(pk=later.pk).update(check_in=day(13))
    with refused(), transaction.atomic():
        # Moving the other delegate's stay onto this one's dates is the same.
        other = HotelStayFactory(check_in=day(12), check_out=day(14))
        HotelStay.objects.filter(pk=other.pk).update(delegate=first.delegate)
    later.refresh_from_db()
    assert later.check_in == day(14)


def test_database_allows_back_to_back_stays_and_a_stay_moved_within_its_dates():
    first = HotelStayFactory(check_in=day(12), check_out=day(14))
    HotelStayFactory(delegate=first.delegate, check_in=day(14), check_out=day(16))
    HotelStayFactory(check_in=day(12), check_out=day(14))  # another delegate
    HotelStay.objects.filter(pk=first.pk).update(check_in=day(11), check_out=day(13))
    assert HotelStay.objects.count() == 3


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_stays_one_is_refused_with_the_readable_message():
    """Neither service call sees the other's uncommitted stay; the exclusion
    constraint makes the second wait, then refuses it, and the service names the
    stay that got in first."""
    need_postgres()
    delegate = DelegateFactory()
    first_saved = threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                save_hotel_stay(
                    HotelStayFactory.build(
                        delegate=delegate,
                        hotel_en="Yyldyz Hotel",
                        check_in=day(12),
                        check_out=day(14),
                    )
                )
                first_saved.set()
                second_thread.join(timeout=1)  # the second is blocked meanwhile
        finally:
            connection.close()

    def second():
        try:
            first_saved.wait(timeout=10)
            save_hotel_stay(
                HotelStayFactory.build(
                    delegate=delegate,
                    hotel_en="Sofitel Oguzkent",
                    check_in=day(13),
                    check_out=day(15),
                )
            )
            outcome["second"] = "saved"
        except ValidationError as exc:
            outcome["second"] = exc.message_dict
        finally:
            connection.close()

    first_thread = threading.Thread(target=first)
    second_thread = threading.Thread(target=second)
    second_thread.start()
    first_thread.start()
    first_thread.join(timeout=30)
    second_thread.join(timeout=30)
    assert outcome["second"] == {
        "check_in": [
            "This stay overlaps the stay at Yyldyz Hotel from 2017-06-12 to 2017-06-14."
        ]
    }
    assert list(HotelStay.objects.values_list("hotel_en", flat=True)) == [
        "Yyldyz Hotel"
    ]


# The migration that brings both rules ------------------------------------------


def migration_and_parents():
    """Return (the migration adding both rules, the migrations it follows)."""
    graph = MigrationExecutor(connection).loader.graph
    (node,) = [
        key
        for key in graph.nodes
        if key[0] == "delegations" and key[1].endswith("_email_case_and_hotel_overlap")
    ]
    return node, sorted(graph.node_map[node].parents, key=lambda n: n.key)


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def before_the_rules():
    """Return a function that takes the database back to before the migration;
    the latest again after the test.

    Rows of models that later migrations change (the delegation) are made at
    the latest state, before going back.
    """
    _node, parents = migration_and_parents()

    def go_back():
        migrate([parent.key for parent in parents if parent.key[0] == "delegations"])

    yield go_back
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_migration_stops_naming_the_delegates_whose_emails_differ_in_case(
    before_the_rules,
):
    meeting = MeetingFactory(slug="ashgabat-2017")
    delegation = DelegationFactory(meeting=meeting)
    elsewhere = DelegationFactory()
    # Made at the latest state (later migrations add columns), then given the
    # clashing emails once the rule is gone: an update writes only the email.
    ann = DelegateFactory(
        delegation=delegation, name_latin="Ann One", email="ann@x.org"
    )
    twin = DelegateFactory(
        delegation=delegation, name_latin="Ann Two", email="ann.two@x.org"
    )
    other = DelegateFactory(delegation=elsewhere, email="ann@x.org")
    before_the_rules()
    Delegate.objects.filter(pk=twin.pk).update(email="Ann@X.org")
    Delegate.objects.filter(pk=other.pk).update(email="ANN@x.org")
    with pytest.raises(CommandError) as excinfo:
        migrate_to_latest()
    assert str(excinfo.value) == (
        "Emails must be unique per meeting regardless of case, and these "
        "delegates share one that differs only in case. Nothing was changed. "
        "Give each of them a distinct email (in the admin, or with the shell), "
        "then run migrate again:\n"
        f"  meeting ashgabat-2017: #{ann.pk} Ann One <ann@x.org>, "
        f"#{twin.pk} Ann Two <Ann@X.org>"
    )
    Delegate.objects.filter(pk=twin.pk).update(email="ann.two@x.org")
    migrate_to_latest()
    with refused(), transaction.atomic():
        Delegate.objects.filter(pk=twin.pk).update(email="ANN@x.org")


@pytest.mark.django_db(transaction=True)
def test_migration_stops_naming_overlapping_stays(before_the_rules):
    delegate = DelegateFactory(name_latin="Ann One")
    before_the_rules()
    first = HotelStayFactory(
        delegate=delegate, hotel_en="Yyldyz Hotel", check_in=day(12), check_out=day(14)
    )
    second = HotelStayFactory(
        delegate=delegate, hotel_en="Sofitel", check_in=day(13), check_out=day(15)
    )
    HotelStayFactory(delegate=delegate, check_in=day(15), check_out=day(16))
    with pytest.raises(CommandError) as excinfo:
        migrate_to_latest()
    assert str(excinfo.value) == (
        "A delegate's hotel stays must not overlap, and these do. Nothing was "
        "changed. Correct or delete one stay of each pair, then run migrate "
        "again:\n"
        f"  Ann One (delegate #{delegate.pk}): stay #{first.pk} Yyldyz Hotel "
        f"2017-06-12–2017-06-14 overlaps stay #{second.pk} Sofitel "
        "2017-06-13–2017-06-15"
    )
    HotelStay.objects.filter(pk=second.pk).update(check_in=day(14))
    migrate_to_latest()
    with refused(), transaction.atomic():
        HotelStay.objects.filter(pk=second.pk).update(check_in=day(13))
