from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from dialogue.models import Meeting, WorkerHeartbeat

admin.site.site_header = _("Dialogue: meeting secretariat")
admin.site.site_title = _("Dialogue secretariat")
admin.site.index_title = _("Secretariat")


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ("short_title_en", "start_date", "end_date", "city_en")
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
    )


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "seen_at")
    readonly_fields = ("hostname", "seen_at", "token")

    def has_add_permission(self, request):
        return False
