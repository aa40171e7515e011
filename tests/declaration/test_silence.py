"""Silence procedure: objections before the deadline, adoption after it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from declaration.models import Adoption, Objection, Silence
from declaration.services import (
    conclude_silence,
    object_to_silence,
    queue_due_silences,
    start_silence,
)
from dialogue.outbox.models import Email

SOON = datetime.timedelta(hours=2)


def past_deadline(silence):
    """The deadline passes (the row is moved back: no clock is waited for)."""
    now = timezone.now()
    Silence.objects.filter(pk=silence.pk).update(
        started_at=now - datetime.timedelta(hours=3),
        until=now - datetime.timedelta(seconds=1),
    )
    silence.refresh_from_db()
    return silence


@pytest.fixture
def silence(declaration_world):
    return start_silence(declaration_world.circulated, until=timezone.now() + SOON)


def test_start_silence_tells_every_focal_point(declaration_world, silence):
    assert (silence.status, silence.version) == (
        "running",
        declaration_world.circulated,
    )
    emails = Email.objects.filter(kind="silence_started")
    assert emails.count() == 2


@pytest.mark.parametrize(
    ("which", "delta", "code"),
    [
        ("draft", SOON, "not_circulated"),
        ("superseded", SOON, "not_circulated"),
        ("circulated", -SOON, "deadline"),
    ],
)
def test_start_silence_refusals(declaration_world, which, delta, code):
    version = getattr(declaration_world, which)
    with pytest.raises(ValidationError) as error:
        start_silence(version, until=timezone.now() + delta)
    assert error.value.code == code


def test_one_running_silence_per_version(declaration_world, silence):
    with pytest.raises(ValidationError) as error:
        start_silence(declaration_world.circulated, until=timezone.now() + SOON)
    assert error.value.code == "running"
    with pytest.raises(IntegrityError), transaction.atomic():
        Silence.objects.create(
            version=declaration_world.circulated,
            until=timezone.now() + SOON,
            started_at=timezone.now(),
        )


def test_objection_before_deadline_breaks_the_silence(world, silence):
    objection = object_to_silence(
        silence, delegation=world.other_delegation, reason="OP2 needs more work."
    )
    silence.refresh_from_db()
    assert (silence.status, objection.delegation) == ("broken", world.other_delegation)
    past_deadline(silence)
    assert conclude_silence(silence.pk) is None
    silence.version.refresh_from_db()
    assert silence.version.status == "circulated"
    assert not Adoption.objects.filter(version=silence.version).exists()


def test_objection_after_deadline_is_refused(world, silence):
    past_deadline(silence)
    with pytest.raises(ValidationError) as error:
        object_to_silence(silence, delegation=world.delegation, reason="Too late?")
    assert error.value.code == "deadline"
    assert Objection.objects.count() == 0


def test_objection_needs_a_reason(world, silence):
    with pytest.raises(ValidationError) as error:
        object_to_silence(silence, delegation=world.delegation, reason="  ")
    assert error.value.code == "empty"


def test_database_refuses_an_empty_reason(world, silence):
    with pytest.raises(IntegrityError), transaction.atomic():
        Objection.objects.create(
            silence=silence,
            delegation=world.delegation,
            reason="",
            created_at=timezone.now(),
        )


def test_deadline_passes_with_no_objection_adopts(declaration_world, silence):
    assert conclude_silence(silence.pk) is None  # not yet over
    assert queue_due_silences() == []
    past_deadline(silence)
    assert queue_due_silences() == [silence.pk]
    adoption = conclude_silence(silence.pk)
    assert (adoption.by_silence, adoption.by_acclamation) == (True, False)
    assert adoption.version.status == "adopted"
    silence.refresh_from_db()
    assert silence.status == "adopted"
    assert Email.objects.filter(kind="silence_adopted").count() == 2
    assert conclude_silence(silence.pk) is None  # a second sweep: nothing more
    assert queue_due_silences() == []


def test_focal_point_objects_through_the_page(
    world, declaration_world, silence, client
):
    token = world.token("focal_point")
    page = client.get(f"/l/{token}/?lang=en").content.decode()
    assert f'id="objection-form-{silence.pk}"' in page
    assert "under silence procedure until" in page
    url = f"/l/{token}/declaration/silence/{silence.pk}/object/?lang=en"
    response = client.post(url, {"reason": "We cannot accept OP2 as worded."})
    assert response.status_code == 302
    page = client.get(f"/l/{token}/?lang=en").content.decode()
    assert f'id="own-objection-{silence.pk}"' in page
    assert "We cannot accept OP2 as worded." in page
    other = client.get(f"/l/{world.token('other_focal_point')}/?lang=ru")
    html = other.content.decode()
    assert "We cannot accept" not in html
    assert "молчания нарушена" in html
    change = world.clients["drafter"].get(
        f"/admin/declaration/version/{declaration_world.circulated.pk}/change/"
    )
    assert "We cannot accept OP2 as worded." in change.content.decode()


def test_objection_after_deadline_through_the_page_keeps_the_text(
    world, silence, client
):
    past_deadline(silence)
    token = world.token("focal_point")
    response = client.post(
        f"/l/{token}/declaration/silence/{silence.pk}/object/?lang=ru",
        {"reason": "Мы возражаем против ОП2."},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Мы возражаем против ОП2." in html
    assert "возражение уже нельзя" in html
    assert Objection.objects.count() == 0


def test_drafter_puts_a_version_under_silence(world, declaration_world):
    client = world.clients["drafter"]
    url = f"/admin/declaration/version/{declaration_world.circulated.pk}/silence/"
    assert client.get(url).status_code == 200
    day = (timezone.now() + datetime.timedelta(days=3)).date().isoformat()
    response = client.post(url, {"deadline_date": day, "deadline_time": "18:00"})
    assert response.status_code == 302
    assert Silence.objects.filter(status="running").count() == 1
    assert client.get(url).status_code == 200
    refused = client.post(url, {"deadline_date": day, "deadline_time": "18:00"})
    assert refused.status_code == 400
    assert "already under silence" in refused.content.decode()


def test_silence_closes_when_the_version_was_adopted_otherwise(silence):
    import datetime as dt

    from declaration.services import record_adoption

    record_adoption(
        silence.version, adopted_on=dt.date(2017, 6, 13), by_acclamation=True
    )
    past_deadline(silence)
    assert conclude_silence(silence.pk) is None
    silence.refresh_from_db()
    assert silence.status == "closed"
    assert queue_due_silences() == []  # no sweep tries again


def test_conclude_silence_that_gives_up_leaves_a_failed_state_and_is_retried(
    world, declaration_world, silence, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    from declaration.tasks import conclude_silence as task

    past_deadline(silence)
    assert task.failure_recorder == "declaration.services.record_silence_failure"
    # What Celery calls when the task runs out of retries.
    task.on_retry(
        OperationalError("database is locked"),
        "t1",
        (),
        {"silence_id": silence.pk},
        None,
    )
    silence.refresh_from_db()
    assert (silence.failure, silence.failed_at) == (
        "OperationalError: database is locked",
        None,
    )
    task.on_failure(
        OperationalError("database is locked"),
        "t1",
        (),
        {"silence_id": silence.pk},
        None,
    )
    silence.refresh_from_db()
    assert silence.failed_at is not None
    assert queue_due_silences() == []  # gave up: it waits for a drafter's retry

    change = f"/admin/declaration/version/{declaration_world.circulated.pk}/change/"
    page = world.clients["drafter"].get(change).content.decode()
    assert f'id="silence-failed-{silence.pk}"' in page
    assert "OperationalError: database is locked" in page
    retry = (
        f"/admin/declaration/version/{declaration_world.circulated.pk}/silence/retry/"
    )
    assert f'formaction="{retry}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = world.clients["drafter"].post(retry)
    assert (response.status_code, response["Location"]) == (302, change)
    silence.refresh_from_db()
    # The retry ran (eagerly here) and adopted the version.
    assert (silence.status, silence.failure, silence.failed_at) == (
        "adopted",
        "",
        None,
    )
    assert world.clients["drafter"].post(retry).status_code == 404  # over
