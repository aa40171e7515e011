"""The one way the portal queues background work, and how a task gives up.

Every Celery task of the portal is a `DialogueTask` (the app's task class, see
dialogue/celery.py). Services queue it with ``task.enqueue(some_id=...)``: the
message is published only once the current transaction commits, so a worker
never looks for a row that is not there yet, and a rolled-back change queues
nothing. No module calls ``delay``/``apply_async``/``on_commit`` itself
(tests/dialogue/test_tasking.py reads the source to make sure); what must
follow a commit and is not a task (the link pages' cache versions) goes
through ``after_commit`` here.

Transient errors (a locked SQLite file, a dropped database or broker
connection, a mail server that hangs up) are retried with exponential backoff.
A task that gives up calls its ``failure_recorder`` (a dotted path to a
function taking the task's keyword arguments and a reason), so the failure is
left where staff see it and can retry it: an email in the outbox, a pack.
"""

import logging
import smtplib
from functools import partial

import kombu.exceptions
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError, transaction
from django.utils.module_loading import import_string

logger = logging.getLogger("dialogue.tasks")

# Errors that say "try again later", not "this cannot work".
TRANSIENT_ERRORS = (
    OperationalError,  # includes SQLite's "database is locked"
    InterfaceError,
    kombu.exceptions.OperationalError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    ConnectionError,
    TimeoutError,
)


def failure_reason(exc: BaseException) -> str:
    """Return a one-line reason for staff: the error's class and message."""
    message = " ".join(str(exc).split())
    return (
        f"{exc.__class__.__name__}: {message}"[:2000]
        if message
        else (exc.__class__.__name__)
    )


class DialogueTask(DjangoTask):
    """A task queued after commit, retried on transient errors, failing visibly."""

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2  # seconds, doubled at each retry
    retry_backoff_max = 60
    retry_jitter = True
    max_retries = 8
    # "package.module.function": called as function(reason=..., final=..., **kwargs)
    failure_recorder: str = ""

    def enqueue(
        self,
        *,
        countdown: float | None = None,
        route: dict | None = None,
        **kwargs,
    ) -> None:
        """Publish this task with these keyword arguments once the transaction commits.

        (Not named "queue": Celery's Task.queue is the routing queue's name.)
        Outside a transaction it is published at once. Ids only: the task loads
        its objects itself, and returns quietly when one is gone. With a
        countdown (seconds), a worker runs it no earlier than that after the
        commit (an eager run ignores it, as Celery does). A route (exchange and
        routing key) sends it to one worker's own queue (dialogue.routing).
        """
        after_commit(partial(self._publish, kwargs, countdown=countdown, route=route))

    def _publish(
        self, kwargs: dict, countdown: float | None = None, route: dict | None = None
    ) -> None:
        # After commit the change is made: a broker that stays down (kombu has
        # retried by now) must not turn the request into an error. The failure
        # is recorded; the workers' sweeps queue the work again later.
        try:
            options = {"countdown": countdown} if countdown else {}
            self.apply_async(kwargs=kwargs, **options, **(route or {}))
        except Exception as exc:
            logger.error("Could not queue %s%s: %s", self.name, kwargs, exc)
            self._record(exc, kwargs, final=False)

    def _record(self, exc: BaseException, kwargs: dict, *, final: bool) -> None:
        if not self.failure_recorder:
            return
        try:
            import_string(self.failure_recorder)(
                reason=failure_reason(exc), final=final, **(kwargs or {})
            )
        except Exception:  # the record is best effort; the log still has it
            logger.exception("Could not record the failure of %s", self.name)

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        logger.warning(
            "%s%s will be retried: %s", self.name, kwargs, failure_reason(exc)
        )
        self._record(exc, kwargs, final=False)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("%s%s gave up: %s", self.name, kwargs, failure_reason(exc))
        self._record(exc, kwargs, final=True)


def after_commit(callback) -> None:
    """Run callback once the current transaction commits (at once outside one;
    never if it rolls back). Tasks use it through enqueue; the link pages'
    cache (delegations.page_cache) for the versions it replaces after commit."""
    transaction.on_commit(callback)
