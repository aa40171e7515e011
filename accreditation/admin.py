"""The secretariat's side of accreditation, in the admin."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accreditation.badges import CATEGORY_HELP, COLOURS
from accreditation.forms.credentials import CredentialsReviewForm
from accreditation.forms.travel_requests import BookingLegForm
from accreditation.models import (
    Badge,
    CheckIn,
    Credentials,
    FlightChangeRequest,
    NominationRequest,
    TravelRequest,
)
from accreditation.selectors.badges import issue_table
from accreditation.selectors.credentials import delegates_to_accredit
from accreditation.services.badges import issue_badges, mark_printed, revoke_badge
from accreditation.services.credentials import approve_credentials, return_credentials
from accreditation.services.nominations import (
    PERSON_FIELDS,
    approve_request,
    return_request,
)
from accreditation.services.travel_requests import (
    accept_change_request,
    book_travel_request,
    decline_change_request,
    decline_travel_request,
    requested_legs,
)
from accreditation.views import checkin as door
from accreditation.views.credentials import credentials_file_response
from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.ids import parse_id
from dialogue.models import Meeting


class ReviewQueueAdmin(ReadOnlyHistoryAdmin):
    """A review queue: those waiting first, whatever the statuses' alphabetical
    order, then the newest."""

    waiting_status: str
    sent_field: str

    def get_queryset(self, request):
        # Annotated before it is ordered (ModelAdmin.get_queryset orders).
        awaiting = Case(
            When(status=self.waiting_status, then=1),
            default=0,
            output_field=IntegerField(),
        )
        return (
            self.model._default_manager.get_queryset()
            .annotate(awaiting=awaiting)
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return ["-awaiting", f"-{self.sent_field}", "-pk"]


def review_link(url_name: str, obj, waiting: bool) -> str:
    label = _("Review: approve or return") if waiting else _("Review")
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[obj.pk]), label)


# Nominations ---------------------------------------------------------------------


@admin.register(NominationRequest)
class NominationRequestAdmin(ReviewQueueAdmin):
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
        "review_link",
    )
    list_filter = ("status", "kind", "delegation__meeting", "delegation")
    search_fields = ("name_latin", "name_cyrillic", "target_name")
    waiting_status, sent_field = NominationRequest.Status.PENDING, "submitted_at"
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

    @admin.display(description=gettext_lazy("review"))
    def review_link(self, obj) -> str:
        return review_link(
            "admin:accreditation_nominationrequest_review",
            obj,
            obj.status == NominationRequest.Status.PENDING,
        )

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


# Credentials --------------------------------------------------------------------


@admin.register(Credentials)
class CredentialsAdmin(ReviewQueueAdmin):
    """Notes verbales and letters of credentials the focal points uploaded,
    those awaiting review first. The review page approves one for the
    delegates it names (they become accredited) or returns it with a reason."""

    list_display = (
        "uploaded_at",
        "delegation",
        "kind",
        "original_name",
        "pages",
        "status",
        "review_link",
    )
    list_filter = ("status", "kind", "delegation__meeting", "delegation")
    search_fields = ("original_name", "delegation__name_en", "delegation__name_ru")
    waiting_status, sent_field = Credentials.Status.RECEIVED, "uploaded_at"
    fields = (
        "delegation",
        "kind",
        "file_link",
        "pages",
        "size",
        "sha256",
        "uploaded_at",
        "status",
        "reason",
        "reviewed_at",
        "reviewed_by",
        "accredited",
    )
    readonly_fields = fields
    list_select_related = ("delegation",)

    @admin.display(description=gettext_lazy("review"))
    def review_link(self, obj) -> str:
        return review_link(
            "admin:accreditation_credentials_review",
            obj,
            obj.status == Credentials.Status.RECEIVED,
        )

    def has_add_permission(self, request):
        return False  # focal points upload; the file's checks run there

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was accredited on what

    @admin.display(description=gettext_lazy("file"))
    def file_link(self, obj) -> str:
        if not obj or not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:accreditation_credentials_file", args=[obj.pk]),
            obj.original_name,
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/review/",
                view(self.review_view),
                name="accreditation_credentials_review",
            ),
            path(
                "<int:pk>/file/",
                view(self.file_view),
                name="accreditation_credentials_file",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "review_url": reverse(
                "admin:accreditation_credentials_review", args=[object_id]
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def file_view(self, request, pk: int):
        if not request.user.has_perm("accreditation.view_credentials"):
            raise PermissionDenied
        credentials = get_object_or_404(Credentials, pk=pk)
        return credentials_file_response(credentials)

    def review_view(self, request, pk: int):
        if not request.user.has_perm("accreditation.review_credentials"):
            raise PermissionDenied
        credentials = get_object_or_404(
            Credentials.objects.select_related("delegation"), pk=pk
        )
        delegates, nominated = delegates_to_accredit(credentials)
        form = CredentialsReviewForm(
            request.POST or None,
            delegates=delegates,
            initial={"accredited": nominated},
        )
        received = credentials.status == Credentials.Status.RECEIVED
        if request.method == "POST" and received and form.is_valid():
            try:
                if "approve" in request.POST:
                    approve_credentials(
                        credentials,
                        reviewer=request.user,
                        delegates=list(form.cleaned_data["accredited"]),
                    )
                    done = _("Approved: %(document)s.")
                else:
                    return_credentials(
                        credentials,
                        reviewer=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    done = _("Returned to the focal point: %(document)s.")
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, done % {"document": credentials})
                return HttpResponseRedirect(
                    reverse("admin:accreditation_credentials_changelist")
                )
        return TemplateResponse(
            request,
            "admin/accreditation/credentials_review.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Review: %(document)s") % {"document": credentials},
                "credentials": credentials,
                "form": form,
                "file_url": reverse(
                    "admin:accreditation_credentials_file", args=[credentials.pk]
                ),
            },
            status=400 if form.errors else 200,
        )


# Travel requests -----------------------------------------------------------------


@admin.register(TravelRequest)
class TravelRequestAdmin(ReadOnlyHistoryAdmin):
    """The travel desk's booking queue: each funded delegate's travel a focal
    point asked for, waiting first. The book page enters the flights (in
    status "requested", through the flight rules); the decline page sends the
    request back with a reason. Nothing here edits a request otherwise."""

    list_display = (
        "submitted_at",
        "delegate",
        "delegation",
        "departure_city",
        "departure_airport",
        "outbound_date",
        "return_date",
        "status",
    )
    list_filter = ("status", "delegate__delegation__meeting")
    search_fields = ("delegate__name_latin", "delegate__name_cyrillic")
    ordering = ("-status", "-submitted_at")
    readonly_fields = (
        "delegate",
        "departure_city",
        "departure_airport",
        "outbound_date",
        "return_date",
        "notes",
        "status",
        "reason",
        "flights",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
    )
    list_select_related = ("delegate__delegation",)

    @admin.display(description=gettext_lazy("delegation"))
    def delegation(self, obj) -> str:
        return str(obj.delegate.delegation)

    def has_add_permission(self, request):
        return False  # focal points make requests

    def has_delete_permission(self, request, obj=None):
        return False  # the queue is a record

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/book/",
                view(self.book_view),
                name="accreditation_travelrequest_book",
            ),
            path(
                "<int:pk>/decline/",
                view(self.decline_view),
                name="accreditation_travelrequest_decline",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "book_url": reverse(
                "admin:accreditation_travelrequest_book", args=[object_id]
            ),
            "decline_url": reverse(
                "admin:accreditation_travelrequest_decline", args=[object_id]
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _request(self, request, pk: int) -> TravelRequest:
        if not request.user.has_perm("accreditation.book_travel"):
            raise PermissionDenied
        return get_object_or_404(
            TravelRequest.objects.select_related("delegate__delegation__meeting"),
            pk=pk,
        )

    def _done(self, request, message: str):
        self.message_user(request, message)
        return HttpResponseRedirect(
            reverse("admin:accreditation_travelrequest_changelist")
        )

    def _page(self, request, travel, template: str, context: dict, status: int):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "travel": travel,
                "person": travel.delegate.name_latin,
                **context,
            },
            status=status,
        )

    def book_view(self, request, pk: int):
        travel = self._request(request, pk)
        outbound_leg, return_leg = requested_legs(travel)
        data = request.POST if request.method == "POST" else None
        outbound = BookingLegForm(data, instance=outbound_leg, prefix="outbound")
        back = BookingLegForm(
            data,
            instance=return_leg,
            prefix="return",
            empty_permitted=True,
            use_required_attribute=False,
        )
        errors = []
        if data is not None and travel.status == TravelRequest.Status.PENDING:
            if outbound.is_valid() and back.is_valid():
                legs = [outbound.instance]
                if back.has_changed():
                    legs.append(back.instance)
                try:
                    book_travel_request(travel, legs=legs, reviewer=request.user)
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    return self._done(
                        request, _("Booked: %(request)s.") % {"request": travel}
                    )
            else:
                errors = [_("Please correct the errors below.")]
        for error in errors:
            self.message_user(request, error, messages.ERROR)
        return self._page(
            request,
            travel,
            "admin/accreditation/travel_book.html",
            {
                "title": _("Book: %(request)s") % {"request": travel},
                "forms": [
                    (_("Outbound flight"), outbound),
                    (_("Return flight (leave blank for a one-way trip)"), back),
                ],
            },
            400 if errors else 200,
        )

    def decline_view(self, request, pk: int):
        travel = self._request(request, pk)
        errors = []
        if request.method == "POST" and travel.status == TravelRequest.Status.PENDING:
            try:
                decline_travel_request(
                    travel,
                    reviewer=request.user,
                    reason=request.POST.get("reason", ""),
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                return self._done(
                    request,
                    _("Declined; the focal point is told: %(request)s.")
                    % {"request": travel},
                )
        for error in errors:
            self.message_user(request, error, messages.ERROR)
        return self._page(
            request,
            travel,
            "admin/accreditation/travel_decline.html",
            {
                "title": _("Decline: %(request)s") % {"request": travel},
                "reason": request.POST.get("reason", ""),
            },
            400 if errors else 200,
        )


@admin.register(FlightChangeRequest)
class FlightChangeRequestAdmin(ReadOnlyHistoryAdmin):
    """The change queue: booked flights a delegate or focal point asked to
    change. Accepting puts the flight back to "requested" for the travel desk
    to edit; declining keeps it as booked and sends the reason."""

    list_display = ("submitted_at", "flight", "delegate", "requested_by", "status")
    list_filter = ("status", "requested_by", "flight__delegate__delegation__meeting")
    search_fields = ("flight__delegate__name_latin", "flight__flight_number")
    ordering = ("-status", "-submitted_at")
    readonly_fields = (
        "flight",
        "requested_by",
        "change",
        "new_date",
        "status",
        "reason",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
    )
    list_select_related = ("flight__delegate",)

    @admin.display(description=gettext_lazy("delegate"))
    def delegate(self, obj) -> str:
        return str(obj.flight.delegate)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/review/",
                view(self.review_view),
                name="accreditation_flightchangerequest_review",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "review_url": reverse(
                "admin:accreditation_flightchangerequest_review", args=[object_id]
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request, pk: int):
        if not request.user.has_perm("accreditation.review_flight_change"):
            raise PermissionDenied
        change = get_object_or_404(
            FlightChangeRequest.objects.select_related("flight__delegate__delegation"),
            pk=pk,
        )
        errors = []
        if request.method == "POST" and change.status == "pending":
            try:
                if "accept" in request.POST:
                    accept_change_request(change, reviewer=request.user)
                    done = _(
                        "Accepted: the flight is back to requested; edit it now. "
                        "%(request)s"
                    )
                else:
                    decline_change_request(
                        change,
                        reviewer=request.user,
                        reason=request.POST.get("reason", ""),
                    )
                    done = _("Declined; the focal point is told: %(request)s.")
            except ValidationError as exc:
                errors = exc.messages
            else:
                self.message_user(request, done % {"request": change})
                if "accept" in request.POST:  # the travel desk edits it next
                    return HttpResponseRedirect(
                        reverse(
                            "admin:delegations_flightleg_change",
                            args=[change.flight_id],
                        )
                    )
                return HttpResponseRedirect(
                    reverse("admin:accreditation_flightchangerequest_changelist")
                )
        for error in errors:
            self.message_user(request, error, messages.ERROR)
        return TemplateResponse(
            request,
            "admin/accreditation/flight_change_review.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Review: %(request)s") % {"request": change},
                "change": change,
                "flight": change.flight,
                "reason": request.POST.get("reason", ""),
            },
            status=400 if errors else 200,
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
