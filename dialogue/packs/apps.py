from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PacksConfig(AppConfig):
    """Briefing packs and visa letters: the top floor of the portal.

    Packs read every app (through their selectors); no app reads packs. What
    packs add to the others is registered here: the panel on the link page, the
    stale-pack sweep of every worker, the render action on the Meeting admin
    (packs/admin.py) and the subscription to input changes (dialogue.changes).
    """

    name = "dialogue.packs"
    label = "packs"
    verbose_name = _("Packs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from delegations.panels import register_panel
        from dialogue.changes import subscribe, subscribe_link_issued
        from dialogue.fonts import warm_fonts
        from dialogue.packs.panel import manifest_panel, packs_panel
        from dialogue.packs.services import (
            add_focal_manifests,
            mark_packs_stale,
            record_worker_alive,
            schedule_forgotten_stale_packs,
            sweep_stale_packs,
        )
        from dialogue.sweeps import register_beat, register_sweep, register_warmup

        register_panel(80, packs_panel)
        register_panel(85, manifest_panel)
        register_beat(record_worker_alive)
        register_sweep(sweep_stale_packs)
        register_sweep(schedule_forgotten_stale_packs)
        register_warmup(warm_fonts)
        subscribe(mark_packs_stale)
        subscribe_link_issued(add_focal_manifests)

        from django.contrib import admin

        from dialogue.admin_site import AdminPage

        admin.site.register_page(
            AdminPage(
                "admin:packs_travel_lists",
                _("Manifests and travel lists"),
                "delegations.view_flightleg",
            )
        )
