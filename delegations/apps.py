from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = _("Delegations and travel")

    def ready(self):
        from delegations.services import (
            LINK_EMAIL,
            compose_link_email,
            record_link_sent,
        )
        from dialogue.outbox.kinds import EmailKind, register

        register(
            EmailKind(
                name=LINK_EMAIL,
                label=_("personal link"),
                compose=compose_link_email,
                delivered=record_link_sent,
            )
        )
