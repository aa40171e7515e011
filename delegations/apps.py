from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = _("Delegations and travel")

    def ready(self):
        from delegations import page_cache
        from delegations.imports import sweep_import_files
        from delegations.services import (
            LINK_EMAIL,
            compose_link_email,
            record_link_sent,
        )
        from dialogue.outbox.kinds import EmailKind, register
        from dialogue.sweeps import register_sweep

        # Every worker, every PACK_SWEEP_INTERVAL seconds: import-tmp keeps
        # nothing of an import that is over, without waiting for an upload.
        register_sweep(sweep_import_files)
        # The link pages are kept until their inputs change: told by the same
        # calls that tell the packs (dialogue.changes), and by the rows' saves.
        page_cache.connect()

        register(
            EmailKind(
                name=LINK_EMAIL,
                label=_("personal link"),
                compose=compose_link_email,
                delivered=record_link_sent,
            )
        )

        from django.contrib import admin

        from dialogue.admin_site import AdminPage

        admin.site.register_page(
            AdminPage(
                "admin:delegations_pickups",
                _("Pickups of the day"),
                "delegations.view_pickups",
            )
        )
