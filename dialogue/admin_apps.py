"""Django's admin, on a site that asks staff for a second factor."""

from django.contrib.admin.apps import AdminConfig


class DialogueAdminConfig(AdminConfig):
    default_site = "dialogue.admin_site.StaffAdminSite"
