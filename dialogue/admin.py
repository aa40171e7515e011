from collections.abc import Callable

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.models import Meeting
from dialogue.services import save_meeting

admin.site.site_header = _("Dialogue: meeting secretariat")
admin.site.site_title = _("Dialogue secretariat")
admin.site.index_title = _("Secretariat")


# Actions other apps add to the meeting list (packs adds "render the packs"), so
# that this module imports no app: each is (action, who may use it).
MEETING_ACTIONS: list[tuple[Callable, Callable]] = []


def register_meeting_action(action: Callable, *, allowed: Callable) -> None:
    """Offer action(modeladmin, request, queryset) on the meeting list to the
    users for whom allowed(request) is true. Called from an app's admin.py."""
    if all(existing is not action for existing, _allowed in MEETING_ACTIONS):
        MEETING_ACTIONS.append((action, allowed))


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("short_title_en", "start_date", "end_date", "city_en")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or "_popup" in request.GET:
            return actions
        for action, allowed in MEETING_ACTIONS:
            if allowed(request):
                actions[action.__name__] = self.get_action(action)
        return actions

    def save_model(self, request, obj, form, change):
        save_meeting(obj)

    search_fields = ("title_en", "title_ru", "short_title_en", "short_title_ru")
    prepopulated_fields = {"slug": ("short_title_en",)}
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "slug",
                    ("title_en", "title_ru"),
                    ("short_title_en", "short_title_ru"),
                    ("start_date", "end_date", "time_zone"),
                )
            },
        ),
        (
            _("Venue"),
            {
                "fields": (
                    ("venue_en", "venue_ru"),
                    ("city_en", "city_ru"),
                    ("country_code", "venue_airport"),
                )
            },
        ),
        (
            _("Organisation"),
            {
                "fields": (
                    ("chair_en", "chair_ru"),
                    ("organisers_en", "organisers_ru"),
                    ("donors_en", "donors_ru"),
                    "working_languages",
                    ("secretariat_email", "secretariat_phone"),
                    "publish_programme",
                )
            },
        ),
        (
            _("Concept note"),
            {
                "classes": ("collapse",),
                "fields": (
                    ("background_en", "background_ru"),
                    ("objectives_en", "objectives_ru"),
                    ("format_en", "format_ru"),
                    ("participants_en", "participants_ru"),
                    ("expected_outcomes_en", "expected_outcomes_ru"),
                ),
            },
        ),
        (
            _("Letterhead and signatory"),
            {
                "classes": ("collapse",),
                "fields": (
                    "logo",
                    ("logo_alt_en", "logo_alt_ru"),
                    ("letterhead_en", "letterhead_ru"),
                    "document_symbol",
                    ("signatory_name_en", "signatory_name_ru"),
                    ("signatory_title_en", "signatory_title_ru"),
                    "signature",
                    ("visa_addressee_en", "visa_addressee_ru"),
                ),
            },
        ),
        (
            _("Practical information"),
            {
                "classes": ("collapse",),
                "description": _("Printed in the briefing packs when filled."),
                "fields": tuple(
                    (f"{name}_en", f"{name}_ru") for name in Meeting.PRACTICAL_FIELDS
                ),
            },
        ),
    )
