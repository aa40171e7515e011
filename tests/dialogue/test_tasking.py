"""Every task is queued one way: DialogueTask.enqueue, after commit."""

import ast
import inspect
from pathlib import Path

import pytest
from django.db import transaction

from dialogue.celery import app
from dialogue.tasking import TRANSIENT_ERRORS, DialogueTask

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ("dialogue", "delegations", "agenda", "declaration", "travel")
# The one module allowed to publish and to hook into the commit.
QUEUING_HOME = ROOT / "dialogue" / "tasking.py"
FORBIDDEN_CALLS = {
    "delay",
    "apply_async",
    "delay_on_commit",
    "apply_async_on_commit",
    "on_commit",
    "send_task",
    "send_mail",
    "send_mass_mail",
}


def project_tasks():
    app.loader.import_default_modules()
    return {
        name: task
        for name, task in app.tasks.items()
        if name.split(".", 1)[0] in PROJECT_PACKAGES
    }


def source_files():
    for package in PROJECT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def forbidden_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "attr", None) or getattr(func, "id", None)
            if name in FORBIDDEN_CALLS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}()")
    return found


def test_every_task_module_is_found():
    assert sorted(project_tasks()) == [
        "declaration.tasks.conclude_silence",
        "declaration.tasks.render_compilation",
        "delegations.tasks.run_import",
        "dialogue.outbox.tasks.send_email",
        "dialogue.packs.tasks.render_pack",
        "dialogue.packs.tasks.render_pack_batch",
        "dialogue.packs.tasks.render_stale_packs",
        "dialogue.packs.tasks.sweep_packs",
        "dialogue.packs.tasks.worker_heartbeat",
        "travel.tasks.recompute_entitlements_task",
        "travel.tasks.render_budget_summary_task",
    ]


def test_every_task_is_a_dialogue_task_with_keyword_only_arguments():
    for name, task in project_tasks().items():
        assert isinstance(task, DialogueTask), name
        assert task.autoretry_for == TRANSIENT_ERRORS, name
        parameters = list(inspect.signature(task.run).parameters.values())
        assert [p.name for p in parameters if p.kind != p.KEYWORD_ONLY] == [], name


def test_tasks_that_touch_records_say_where_a_failure_goes():
    recorders = {
        name: task.failure_recorder
        for name, task in project_tasks().items()
        if task.failure_recorder
    }
    assert recorders["dialogue.outbox.tasks.send_email"] == (
        "dialogue.outbox.services.record_send_failure"
    )
    assert recorders["dialogue.packs.tasks.render_pack"] == (
        "dialogue.packs.services.record_pack_failure"
    )
    assert recorders["dialogue.packs.tasks.render_pack_batch"] == (
        "dialogue.packs.services.record_batch_failure"
    )
    assert recorders["travel.tasks.recompute_entitlements_task"] == (
        "travel.services.record_recompute_failure"
    )
    assert recorders["travel.tasks.render_budget_summary_task"] == (
        "travel.services.record_summary_failure"
    )


def test_no_module_publishes_or_sends_mail_by_itself():
    found = [
        call
        for path in source_files()
        if path != QUEUING_HOME
        for call in forbidden_calls(path)
    ]
    # The outbox is the one place that talks to the mail server.
    assert found == []


def test_queuing_home_hooks_into_the_commit_and_publishes_once_each():
    assert sorted(call.split()[-1] for call in forbidden_calls(QUEUING_HOME)) == [
        "apply_async()",
        "on_commit()",
    ]


@pytest.mark.django_db
def test_enqueue_publishes_only_after_commit(django_capture_on_commit_callbacks):
    from dialogue.packs.tasks import worker_heartbeat

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        transaction.atomic(),
    ):
        worker_heartbeat.enqueue(token="after-commit")
    assert [(c.func.__name__, c.args) for c in callbacks] == [
        ("_publish", ({"token": "after-commit"},))
    ]
