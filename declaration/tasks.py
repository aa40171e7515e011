from celery import shared_task

from declaration.models import Circulation
from declaration.services import send_circulation


@shared_task(
    autoretry_for=(OSError,), retry_backoff=30, retry_kwargs={"max_retries": 5}
)
def send_circulation_email(*, circulation_id: int) -> bool:
    """Email one focal point a circulated version; return False if nothing was sent.

    Retries on mail-server errors; a circulation already sent is not sent again.
    """
    circulation = Circulation.objects.filter(pk=circulation_id).first()
    if circulation is None:
        return False
    return send_circulation(circulation)
