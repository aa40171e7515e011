"""The outbox in the admin: what was sent, what failed and why; resend."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dialogue.outbox.kinds import kind_label
from dialogue.outbox.models import Email
from dialogue.outbox.services import resend_emails


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = (
        "queued_at",
        "meeting",
        "kind_name",
        "recipient",
        "language",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    )
    list_filter = ("meeting", "status", "kind", "language")
    search_fields = ("recipient", "subject", "error")
    date_hierarchy = "queued_at"
    list_select_related = ("meeting",)
    actions = ["resend"]
    readonly_fields = [field.name for field in Email._meta.fields]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_name(self, obj):
        return kind_label(obj.kind)

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        if not obj.error:
            return ""
        return obj.error if len(obj.error) <= 120 else obj.error[:119] + "…"

    @admin.action(
        description=_("Send the selected failed or unsent emails again"),
        permissions=["resend"],
    )
    def resend(self, request, queryset):
        count = resend_emails(list(queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)s email queued again.",
                "%(count)s emails queued again.",
                count,
            )
            % {"count": count},
        )

    def has_resend_permission(self, request):
        return request.user.has_perm("outbox.resend_email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
