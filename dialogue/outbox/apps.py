from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "dialogue.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self):
        from dialogue.outbox.services import sweep_stale_emails
        from dialogue.sweeps import register_sweep

        register_sweep(sweep_stale_emails)
