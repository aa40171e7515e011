"""The secretariat's side of accreditation, in the admin."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accreditation.models import CheckIn, NominationRequest
from accreditation.services.nominations import (
    PERSON_FIELDS,
    approve_request,
    return_request,
)
from accreditation.views import checkin as door
from dialogue.admin_history import ReadOnlyHistoryAdmin

# Nominations ---------------------------------------------------------------------


@admin.register(NominationRequest)
class NominationRequestAdmin(ReadOnlyHistoryAdmin):
    """The review queue: every nomination, replacement and withdrawal a focal
    point sent, pending first. Nothing here edits a request; the review page
    approves it (the change is made then) or returns it with a reason."""

    list_display = (
        "submitted_at",
        "delegation",
        "kind",
        "who",
        "funded_requested",
        "status",
    )
    list_filter = ("status", "kind", "delegation__meeting", "delegation")
    search_fields = ("name_latin", "name_cyrillic", "target_name")
    ordering = ("-status", "-submitted_at")
    readonly_fields = (
        "delegation",
        "kind",
        "status",
        "target",
        "target_name",
        *PERSON_FIELDS,
        "funded_requested",
        "reason",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "result",
    )
    list_select_related = ("delegation",)

    @admin.display(description=gettext_lazy("delegate"))
    def who(self, obj) -> str:
        if obj.kind == NominationRequest.Kind.REPLACE:
            return f"{obj.target_name} → {obj.name_latin}"
        return obj.person

    def has_add_permission(self, request):
        return False  # focal points make requests; staff enter delegates directly

    def has_delete_permission(self, request, obj=None):
        return False  # the queue is a record

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/review/",
                view(self.review_view),
                name="accreditation_nominationrequest_review",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "review_url": reverse(
                "admin:accreditation_nominationrequest_review", args=[object_id]
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request, pk: int):
        if not request.user.has_perm("accreditation.review_nomination"):
            raise PermissionDenied
        nomination = get_object_or_404(
            NominationRequest.objects.select_related("delegation", "target"), pk=pk
        )
        errors = []
        if request.method == "POST" and nomination.status == "pending":
            try:
                if "approve" in request.POST:
                    approve_request(nomination, reviewer=request.user)
                    done = _("Approved: %(request)s.")
                else:
                    return_request(
                        nomination,
                        reviewer=request.user,
                        reason=request.POST.get("reason", ""),
                    )
                    done = _("Returned to the focal point: %(request)s.")
            except ValidationError as exc:
                errors = exc.messages
            else:
                self.message_user(request, done % {"request": nomination})
                return HttpResponseRedirect(
                    reverse("admin:accreditation_nominationrequest_changelist")
                )
        for error in errors:
            self.message_user(request, error, messages.ERROR)
        return TemplateResponse(
            request,
            "admin/accreditation/nomination_review.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Review: %(request)s") % {"request": nomination},
                "nomination": nomination,
                "fields": [
                    (NominationRequest._meta.get_field(name).verbose_name, value)
                    for name in PERSON_FIELDS
                    if (value := _shown(nomination, name))
                ],
                "reason": request.POST.get("reason", ""),
            },
            status=400 if errors else 200,
        )


def _shown(nomination: NominationRequest, name: str) -> str:
    display = getattr(nomination, f"get_{name}_display", None)
    return str(display() if display and getattr(nomination, name) else "") or str(
        getattr(nomination, name) or ""
    )


# Check-in at the door -----------------------------------------------------------


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """Who was let in where, when, by whom: a record, read only. The door
    page (door staff, accreditation.check_in) is where check-ins are made."""

    list_display = ("checked_in_at", "holder", "category", "door", "checked_in_by")
    list_filter = ("meeting", "session")
    search_fields = ("badge__holder_name_latin", "badge__holder_name_cyrillic")
    list_select_related = ("badge", "session__meeting", "meeting", "checked_in_by")
    readonly_fields = ("badge", "meeting", "session", "checked_in_at", "checked_in_by")

    @admin.display(
        description=gettext_lazy("holder"), ordering="badge__holder_name_latin"
    )
    def holder(self, obj) -> str:
        return obj.badge.holder_name_latin

    @admin.display(description=gettext_lazy("category"))
    def category(self, obj) -> str:
        return obj.badge.get_category_display()

    @admin.display(description=gettext_lazy("door"))
    def door(self, obj) -> str:
        return str(obj.session) if obj.session else _("Entrance (the venue)")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "door/",
                view(lambda request: door.door_page(request, self.admin_site)),
                name="accreditation_checkin_door",
            ),
            path(
                "door/scan/",
                view(door.scan),
                name="accreditation_checkin_scan",
            ),
            path(
                "door/photo/<int:badge_id>/",
                view(door.photo),
                name="accreditation_checkin_photo",
            ),
            *super().get_urls(),
        ]
