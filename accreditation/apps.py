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
        from django.db.models.signals import post_save

        from accreditation.fixture_files import write_fixture_file
        from accreditation.models import Credentials
        from accreditation.panels import (
            credentials_panel,
            nominations_panel,
            travel_panel,
        )
        from accreditation.services import credentials, nominations
        from accreditation.services.badges import revoke_badges_of_leaving
        from accreditation.services.travel_requests import (
            CHANGE_EMAIL,
            TRAVEL_EMAIL,
            compose_change_email,
            compose_travel_email,
        )
        from delegations.panels import register_panel
        from dialogue.changes import subscribe_delegate_leaving
        from dialogue.outbox.kinds import EmailKind, register

        # Every path that deletes a delegate revokes their badge first.
        subscribe_delegate_leaving(revoke_badges_of_leaving)
        # Only a fixture's raw save: the file its row names (see the module).
        post_save.connect(write_fixture_file, sender=Credentials)
        register_panel(20, nominations_panel)
        register_panel(22, credentials_panel)
        register_panel(25, travel_panel)
        register(
            EmailKind(
                name=nominations.DECISION_EMAIL,
                label=_("nomination decision"),
                compose=nominations.compose_decision_email,
            )
        )
        register(
            EmailKind(
                name=credentials.DECISION_EMAIL,
                label=_("credentials decision"),
                compose=credentials.compose_decision_email,
            )
        )
        register(
            EmailKind(
                name=TRAVEL_EMAIL,
                label=_("travel request decision"),
                compose=compose_travel_email,
            )
        )
        register(
            EmailKind(
                name=CHANGE_EMAIL,
                label=_("flight change decision"),
                compose=compose_change_email,
            )
        )
