"""Background work of declarations: concluding a silence procedure, rendering
the compilation of comments."""

from celery import shared_task

from declaration.services import conclude_silence as conclude_silence_service
from declaration.services import render_compilation as render_compilation_service


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    failure_recorder="declaration.services.record_silence_failure",
)
def conclude_silence(self, *, silence_id: int) -> str:
    """Adopt the version of a silence whose deadline passed with no objection;
    return what happened. Queued by every worker's sweep (queue_due_silences),
    so duplicates are expected: the service adopts once. A run that gives up
    leaves a failed state on the silence (the drafters retry it)."""
    adoption = conclude_silence_service(silence_id)
    return "adopted" if adoption is not None else "nothing to do"


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    failure_recorder="declaration.services.record_compilation_failure",
)
def render_compilation(self, *, compilation_id: int) -> str:
    """Render the compilation of comments on a version (EN and RU PDF, XLSX);
    return what happened. A duplicate finds the files up to date and stops; a
    run that gives up leaves the compilation failed, with a retry for staff."""
    return render_compilation_service(compilation_id)
