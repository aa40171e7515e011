from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = _("Programme")

    def ready(self):
        from agenda.panels import programme_events, programme_panel
        from delegations.panels import register_calendar_source, register_panel

        register_panel(10, programme_panel)
        register_calendar_source(programme_events)
