"""History pages in the admin are for reading: nobody reverts through them."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose historical-record page never saves.

    simple_history's page saves a POST after checking only view-or-change
    permission, and it writes around our services (quota, frozen versions,
    published programme). Changes go through the change form instead.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )

    def revert_disabled(self, request, obj=None):
        return True
