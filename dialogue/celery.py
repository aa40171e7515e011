"""The Celery application: `celery -A dialogue worker` starts a worker.

The broker is whatever CELERY_BROKER_URL names (a file-based broker under var/
when it is unset), so the same command works on a laptop and in production.
"""

import os
import sys

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue.settings")

# Every task is a DialogueTask: queued after commit, retried, failing visibly.
app = Celery("dialogue", task_cls="dialogue.tasking:DialogueTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _exit_on_setting_error() -> None:
    """Under the celery command, report a bad setting in one line, not a traceback."""
    from django.conf import settings

    from dialogue.config import SettingError

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading it loads the settings
    except SettingError as exc:
        sys.exit(f"Configuration error: {exc}")


if "celery" in os.path.basename(sys.argv[0]) or sys.argv[0].endswith(
    os.path.join("celery", "__main__.py")
):
    _exit_on_setting_error()
