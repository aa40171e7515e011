from django.contrib import admin
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View

from dashboard.selectors import chosen_meeting, dashboard, meeting_label
from dialogue.ids import parse_id
from dialogue.models import Meeting


class DashboardView(View):
    """The admin's home: a meeting at a glance, then the admin's app list."""

    def get(self, request):
        asked = request.GET.get("meeting")
        meeting_id = parse_id(asked)
        meeting = chosen_meeting(meeting_id)
        if asked and (meeting_id is None or meeting is None):
            raise Http404("No such meeting.")
        lang = get_language()
        context = {
            **admin.site.each_context(request),
            "title": _("Dashboard"),
            "app_list": admin.site.get_app_list(request),
            "meeting": meeting,
            "meeting_label": meeting_label(meeting, lang) if meeting else "",
            "meetings": [
                (m.pk, meeting_label(m, lang))
                for m in Meeting.objects.order_by("-start_date", "pk")
            ],
            **(dashboard(meeting, request.user, lang) if meeting else {}),
        }
        return TemplateResponse(request, "admin/dashboard/dashboard.html", context)
