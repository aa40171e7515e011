from celery import shared_task

from dialogue.outbox.services import deliver_email


@shared_task(failure_recorder="dialogue.outbox.services.record_send_failure")
def send_email(*, email_id: int) -> str:
    """Send one outbox email; return what happened (see deliver_email).

    Transient mail and database errors are retried with backoff (DialogueTask);
    when it gives up, the email is marked failed with the reason, for staff to
    resend from the outbox.
    """
    return deliver_email(email_id)
