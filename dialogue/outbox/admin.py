"""The outbox in the admin: what was sent, what failed and why; resend."""

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dialogue.outbox.kinds import all_kinds, kind_label
from dialogue.outbox.models import Email
from dialogue.outbox.services import resend_emails


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.name, kind.label) for kind in all_kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = (
        "queued_at",
        "kind_name",
        "recipient",
        "language",
        "state",
        "attempts",
    )
    list_filter = ("status", KindFilter, "meeting", "language")
    search_fields = ("recipient", "subject", "error")
    date_hierarchy = "queued_at"
    list_select_related = ("meeting",)
    actions = ["resend"]
    readonly_fields = [field.name for field in Email._meta.fields]

    @admin.display(description=_("status"), ordering="status")
    def state(self, obj):
        """Sent when, or what stands in the way, in one column."""
        if obj.status == Email.Status.SENT:
            return _("sent %(when)s") % {
                "when": date_format(localtime(obj.sent_at), "SHORT_DATETIME_FORMAT")
            }
        if not obj.error:
            return obj.get_status_display()
        reason = obj.error if len(obj.error) <= 120 else obj.error[:119] + "…"
        if obj.status == Email.Status.QUEUED:
            return _("queued, retrying: %(reason)s") % {"reason": reason}
        return f"{obj.get_status_display()}: {reason}"

    @admin.display(description=_("kind"), ordering="kind")
    def kind_name(self, obj):
        return kind_label(obj.kind)

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
