"""The secretariat's side of accreditation, in the admin."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accreditation.badges import CATEGORY_HELP, COLOURS
from accreditation.models import Badge, NominationRequest
from accreditation.selectors.badges import issue_table
from accreditation.services.badges import issue_badges, mark_printed, revoke_badge
from accreditation.services.nominations import (
    PERSON_FIELDS,
    approve_request,
    return_request,
)
from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.ids import parse_id
from dialogue.models import Meeting

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


# Badges --------------------------------------------------------------------------

ISSUE_PERMISSION = "accreditation.issue_badge"


class BadgeStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("active", gettext_lazy("active, not printed")),
            ("printed", gettext_lazy("printed")),
            ("revoked", gettext_lazy("revoked")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True, printed_at__isnull=True)
        if self.value() == "printed":
            return queryset.filter(revoked_at__isnull=True, printed_at__isnull=False)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    """Every badge issued, active or revoked. Badges are issued on the issue
    page (the accredited of chosen delegations), printed from the badge sheets
    (the packs' Badges page), revoked here with a reason; none is edited."""

    list_display = (
        "holder_name_latin",
        "holder_name_cyrillic",
        "delegation",
        "category_label",
        "issued_at",
        "printed_at",
        "revoked",
    )
    list_filter = (
        BadgeStateFilter,
        "category",
        "delegate__delegation__meeting",
        "delegate__delegation",
    )
    search_fields = ("holder_name_latin", "holder_name_cyrillic")
    list_select_related = ("delegate__delegation",)
    readonly_fields = (
        "delegate",
        "holder_name_latin",
        "holder_name_cyrillic",
        "category",
        "serial",
        "issued_at",
        "printed_at",
        "revoked_at",
        "revoked_reason",
        "revoked_note",
    )
    fields = readonly_fields
    actions = ["mark_printed_action", "revoke_action"]
    change_list_template = "admin/accreditation/badge/change_list.html"

    def has_add_permission(self, request):
        return False  # the issue page issues them, by the service

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # a revoked badge stays: its code must still answer red

    def has_issue_permission(self, request):
        return request.user.has_perm(ISSUE_PERMISSION)

    @admin.display(description=gettext_lazy("delegation"))
    def delegation(self, obj):
        return obj.delegate.delegation if obj.delegate_id else "-"

    @admin.display(description=gettext_lazy("category"), ordering="category")
    def category_label(self, obj):
        background, ink = COLOURS[obj.category]
        return format_html(
            '<span class="badge-category" style="background:{};color:{};'
            'padding:0 .4em;border-radius:3px">{}</span>',
            background,
            ink,
            obj.get_category_display(),
        )

    @admin.display(description=gettext_lazy("revoked"), ordering="revoked_at")
    def revoked(self, obj):
        if obj.revoked_at is None:
            return "-"
        reason = obj.revoked_note or obj.get_revoked_reason_display()
        return f"{obj.revoked_at:%Y-%m-%d} ({reason})"

    def changelist_view(self, request, extra_context=None):
        extra = {
            "issue_url": reverse("admin:accreditation_badge_issue"),
            "may_issue": self.has_issue_permission(request),
            "sheets_url": reverse("admin:packs_badges"),
        }
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @admin.action(
        description=gettext_lazy("Mark the selected badges as printed"),
        permissions=["issue"],
    )
    def mark_printed_action(self, request, queryset):
        done = 0
        for badge in queryset.select_related("delegate"):
            try:
                mark_printed(badge)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.WARNING)
            else:
                done += 1
        self.message_user(request, _("Badges marked printed: %(n)s.") % {"n": done})

    @admin.action(
        description=gettext_lazy("Revoke the selected badges (with a reason)"),
        permissions=["issue"],
    )
    def revoke_action(self, request, queryset):
        badges = list(queryset.filter(revoked_at__isnull=True))
        errors = []
        if "apply" in request.POST:
            note = request.POST.get("revoked_note", "")
            try:
                with transaction.atomic():
                    for badge in badges:
                        revoke_badge(badge, note=note)
            except ValidationError as exc:
                errors = exc.messages
            else:
                self.message_user(
                    request, _("Badges revoked: %(n)s.") % {"n": len(badges)}
                )
                return None
        return TemplateResponse(
            request,
            "admin/accreditation/badge/revoke.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Revoke badges"),
                "badges": badges,
                "errors": errors,
                "note": request.POST.get("revoked_note", ""),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
            status=400 if errors else 200,
        )

    def get_urls(self):
        return [
            path(
                "issue/",
                self.admin_site.admin_view(self.issue_view),
                name="accreditation_badge_issue",
            ),
            *super().get_urls(),
        ]

    def issue_view(self, request):
        """The meeting's delegations with their accredited delegates and badges;
        POST delegation=<id>... [category] issues badges to the accredited."""
        if not self.has_issue_permission(request):
            raise PermissionDenied
        meetings = Meeting.objects.all()
        chosen = parse_id(
            request.GET.get("meeting", "") or request.POST.get("meeting", "")
        )
        meeting = meetings.filter(pk=chosen).first() if chosen else meetings.first()
        if request.method == "POST" and meeting is not None:
            ids = [
                pk
                for value in request.POST.getlist("delegation")
                if (pk := parse_id(value))
            ]
            wanted = list(
                meeting.delegations.filter(pk__in=ids).values_list("pk", flat=True)
            )
            if not wanted:
                self.message_user(
                    request, _("Choose at least one delegation."), messages.ERROR
                )
            else:
                try:
                    result = issue_badges(
                        wanted, category=request.POST.get("category", "")
                    )
                except ValidationError as exc:
                    self.message_user(request, "; ".join(exc.messages), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("Badges issued: %(issued)s; %(already)s already had one.")
                        % {"issued": len(result.issued), "already": result.already},
                    )
                    for reason in result.refused:
                        self.message_user(request, reason, messages.WARNING)
                    return HttpResponseRedirect(f"{request.path}?meeting={meeting.pk}")
        return TemplateResponse(
            request,
            "admin/accreditation/badge/issue.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Issue badges"),
                "meeting": meeting,
                "meetings": meetings,
                "rows": issue_table(meeting.pk) if meeting else [],
                "categories": Badge.Category.choices,
                "category_help": CATEGORY_HELP,
                "sheets_url": reverse("admin:packs_badges"),
            },
        )
