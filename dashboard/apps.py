from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from django.contrib import admin

        from dialogue.admin_site import AdminPage

        # First in the admin's navigation, for those who may see each.
        for page in (
            AdminPage("dashboard", _("Dashboard"), fragment="dashboard"),
            AdminPage(
                "admin:delegations_readiness",
                _("Readiness board"),
                "delegations.view_delegate",
            ),
            AdminPage(
                "admin:travel_budget",
                _("Travel budget: the whole cost"),
                "travel.view_entitlement",
            ),
            AdminPage(
                "admin:agenda_day", _("Programme of the day"), "agenda.view_session"
            ),
            AdminPage(
                "admin:accreditation_checkin_door",
                _("Check-in at the door"),
                "accreditation.check_in",
            ),
        ):
            admin.site.register_page(page)
