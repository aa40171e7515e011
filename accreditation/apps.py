from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccreditationConfig(AppConfig):
    """Accreditation: focal points' nominations and the secretariat's review,
    credentials (notes verbales), badges with a signed QR code, and check-in
    at the door.

    Accreditation reads and writes delegations through their services and
    selectors; delegations never import accreditation.
    """

    name = "accreditation"
    verbose_name = _("Accreditation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accreditation.panels import nominations_panel
        from accreditation.services.nominations import (
            DECISION_EMAIL,
            compose_decision_email,
        )
        from delegations.panels import register_panel
        from dialogue.outbox.kinds import EmailKind, register

        register_panel(20, nominations_panel)
        register(
            EmailKind(
                name=DECISION_EMAIL,
                label=_("nomination decision"),
                compose=compose_decision_email,
            )
        )
