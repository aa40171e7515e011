from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TravelConfig(AppConfig):
    """The money side of the travel desk: entitlements, payments, visa fees,
    the full-cost budget and its donor exports.

    Travel reads delegations (flights, stays); delegations never import travel.
    A change to a flight or a stay reaches it through dialogue.changes.
    """

    name = "travel"
    verbose_name = _("Travel costs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from dialogue.changes import subscribe
        from dialogue.sweeps import register_sweep
        from travel.services import itinerary_changed, sweep_stuck_summaries

        subscribe(itinerary_changed)
        register_sweep(sweep_stuck_summaries)
