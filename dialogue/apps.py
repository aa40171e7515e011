from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "dialogue"
    verbose_name = _("Meetings")

    def ready(self):
        from delegations.panels import register_panel
        from dialogue.packs.panel import packs_panel

        register_panel(80, packs_panel)
