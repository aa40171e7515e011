from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from delegations.admin_forms import (
    DelegateForm,
    DelegateInlineForm,
    DelegateInlineFormSet,
    FlightLegForm,
    HotelStayForm,
    HotelStayFormSet,
)
from delegations.admin_import import DelegationsImportExportMixin
from delegations.models import (
    AccessLink,
    Delegate,
    Delegation,
    FlightLeg,
    GroundTransfer,
    HotelStay,
    Passport,
    SelfServiceChange,
)
from delegations.resources import DelegateResource, FlightLegResource
from delegations.selectors import (
    delegates_with_travel,
    readiness,
    recent_self_service_changes,
    self_service_changes_visible_to,
    shown_value,
    travel_warnings,
    who_changed,
)
from delegations.services import (
    FundedQuotaExceeded,
    issue_itinerary_link,
    link_url,
    mark_funded,
    remove_delegate,
    revoke_link,
    save_delegate,
    save_delegates,
    save_flight_leg,
    save_flight_legs,
    save_ground_transfers,
    save_hotel_stays,
    send_itinerary_link,
)
from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.admin_inlines import LabelledTabularInline
from dialogue.ids import parse_id
from dialogue.models import Meeting
from dialogue.timefmt import airport_city, airport_zone, format_datetime

PASSPORT_PERMISSION = "delegations.view_passport_details"


class DelegateInline(LabelledTabularInline):
    model = Delegate
    form = DelegateInlineForm
    formset = DelegateInlineFormSet
    fields = (
        "name_latin",
        "name_cyrillic",
        "position_en",
        "position_ru",
        "role",
        "email",
        "funded",
        "sort_order",
    )
    extra = 0
    show_change_link = True


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "name_en",
        "name_ru",
        "kind",
        "invitation_status",
        "funded_summary",
        "focal_point_name",
    )
    list_filter = ("meeting", "kind", "invitation_status")
    search_fields = ("name_en", "name_ru", "focal_point_name", "focal_point_email")
    inlines = [DelegateInline]
    actions = ["issue_focal_point_links", "send_focal_point_links"]
    fieldsets = (
        (None, {"fields": ("meeting", "kind", "country_code", ("name_en", "name_ru"))}),
        (
            _("Invitation"),
            {
                "fields": (
                    "invitation_status",
                    ("invited_on", "responded_on"),
                    ("level_en", "level_ru"),
                    "is_host",
                    "sort_order",
                )
            },
        ),
        (
            _("Focal point"),
            {
                "fields": (
                    "focal_point_name",
                    ("focal_point_email", "focal_point_phone"),
                    "language",
                )
            },
        ),
        (_("Funding"), {"fields": ("funded_quota", "funded_count")}),
    )
    # Counted by the database as delegates are funded (migrations/0007).
    readonly_fields = ("funded_count",)

    @admin.display(description=_("funded / quota"))
    def funded_summary(self, obj):
        return f"{obj.funded_count} / {obj.funded_quota}"

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("funded_quota", 3)
        return initial

    def save_model(self, request, obj, form, change):
        # The database refuses, at every moment, more funded delegates than the
        # quota: a lower quota waits until the inline has unfunded (save_related).
        stored = (
            Delegation.objects.filter(pk=obj.pk)
            .values_list("funded_quota", flat=True)
            .first()
            if change
            else None
        )
        if stored is not None and obj.funded_quota < stored:
            obj.lowered_quota, obj.funded_quota = obj.funded_quota, stored
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        delegation = form.instance
        lowered = getattr(delegation, "lowered_quota", None)
        if lowered is not None:
            delegation.funded_quota = lowered
            delegation.save(update_fields=["funded_quota"])

    def save_formset(self, request, form, formset, change):
        if formset.model is not Delegate:
            return super().save_formset(request, form, formset, change)
        # The formset has checked the list through the services; saving it
        # can only fail if another save got in between (nothing is kept then).
        try:
            save_delegates(
                form.instance,
                formset.save(commit=False),
                removed=formset.deleted_objects,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        formset.save_m2m()

    @admin.action(description=_("Issue focal-point links"), permissions=["change"])
    def issue_focal_point_links(self, request, queryset):
        for delegation in queryset:
            issue_itinerary_link(delegation)
        self.message_user(
            request, _("Focal-point links issued: %(n)s.") % {"n": queryset.count()}
        )

    @admin.action(description=_("Email focal-point links"), permissions=["change"])
    def send_focal_point_links(self, request, queryset):
        sent = sum(send_itinerary_link(issue_itinerary_link(d)) for d in queryset)
        self.message_user(
            request, _("Links queued to be emailed: %(n)s.") % {"n": sent}
        )

    def get_urls(self):
        return [
            path(
                "pickups/",
                self.admin_site.admin_view(self.pickups_view),
                name="delegations_pickups",
            ),
            path(
                "readiness/",
                self.admin_site.admin_view(self.readiness_view),
                name="delegations_readiness",
            ),
            *super().get_urls(),
        ]

    def selected_meeting(self, request) -> Meeting | None:
        meetings = Meeting.objects.all()
        chosen = request.GET.get("meeting")
        if parse_id(chosen):
            return meetings.filter(pk=parse_id(chosen)).first()
        return meetings.first()

    def pickups_view(self, request):
        """The transport officer's page: the day's pickups in time order."""
        from delegations.pickups import pickups_page

        if not request.user.has_perm("delegations.view_pickups"):
            raise PermissionDenied
        return pickups_page(request, self.selected_meeting(request))

    def readiness_view(self, request):
        # The board shows travel, so it needs the delegates' view permission.
        if not request.user.has_perm("delegations.view_delegate"):
            raise PermissionDenied
        meeting = self.selected_meeting(request)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Readiness board"),
            "meeting": meeting,
            "meetings": Meeting.objects.all(),
            "rows": readiness(meeting) if meeting else [],
            "changes": (
                recent_self_service_changes(meeting, user=request.user)
                if meeting
                else []
            ),
        }
        return TemplateResponse(request, "admin/delegations/readiness.html", context)


class FlightLegInline(LabelledTabularInline):
    model = FlightLeg
    form = FlightLegForm
    extra = 0


class HotelStayInline(LabelledTabularInline):
    model = HotelStay
    form = HotelStayForm
    formset = HotelStayFormSet
    extra = 0


class GroundTransferInline(LabelledTabularInline):
    model = GroundTransfer
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("flight")
        if field is not None:  # only the delegate's own flights
            field.queryset = (
                obj.flights.all() if obj is not None else FlightLeg.objects.none()
            )
        return formset


class PassportInline(admin.StackedInline):
    model = Passport
    extra = 0
    max_num = 1

    def _allowed(self, request):
        return request.user.has_perm(PASSPORT_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and super().has_delete_permission(request, obj)


class TravelStatusFilter(admin.SimpleListFilter):
    title = _("travel status")
    parameter_name = "travel"

    def lookups(self, request, model_admin):
        return [
            ("none", _("no flights")),
            ("open", _("requested or booked legs")),
            ("ticketed", _("all legs ticketed")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(active_legs=0)
        if self.value() == "open":
            return queryset.filter(open_legs__gt=0)
        if self.value() == "ticketed":
            return queryset.filter(active_legs__gt=0, open_legs=0)
        return queryset


class HotelFilter(admin.SimpleListFilter):
    """Delegates with or without a hotel stay (the dashboard links here)."""

    title = _("hotel")
    parameter_name = "hotel"

    def lookups(self, request, model_admin):
        return [("booked", _("hotel booked")), ("none", _("no hotel"))]

    def queryset(self, request, queryset):
        if self.value() == "booked":
            return queryset.filter(hotel_stays__isnull=False).distinct()
        if self.value() == "none":
            return queryset.filter(hotel_stays__isnull=True)
        return queryset


class LinkMeetingFilter(admin.SimpleListFilter):
    """A link's meeting, through its delegate or its delegation."""

    title = _("meeting")
    parameter_name = "meeting"

    def lookups(self, request, model_admin):
        return [(m.pk, str(m)) for m in Meeting.objects.all()]

    def queryset(self, request, queryset):
        meeting = parse_id(self.value())
        if meeting is None:
            return queryset
        return queryset.filter(
            Q(delegate__meeting_id=meeting) | Q(delegation__meeting_id=meeting)
        )


class LinkStateFilter(admin.SimpleListFilter):
    """Links not revoked that were sent, opened, or not yet either."""

    title = _("sent and opened")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("sent", _("sent")),
            ("unsent", _("not sent yet")),
            ("opened", _("opened")),
            ("unopened", _("sent, not opened")),
        ]

    def queryset(self, request, queryset):
        live = queryset.filter(revoked_at__isnull=True)
        if self.value() == "sent":
            return live.filter(sent_at__isnull=False)
        if self.value() == "unsent":
            return live.filter(sent_at__isnull=True)
        if self.value() == "opened":
            return live.filter(last_opened_at__isnull=False)
        if self.value() == "unopened":
            return live.filter(sent_at__isnull=False, last_opened_at__isnull=True)
        return queryset


def leg_count(condition: Q) -> Coalesce:
    """Return the number of the delegate's legs that meet the condition."""
    legs = (
        FlightLeg.objects.filter(condition, delegate=OuterRef("pk"))
        .order_by()
        .values("delegate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(legs), 0)


@admin.register(Delegate)
class DelegateAdmin(DelegationsImportExportMixin, ReadOnlyHistoryAdmin):
    form = DelegateForm

    # Deleting goes through the service, as a withdrawal does: the funded seat,
    # the documents, and whatever other apps hold of the delegate (a badge).
    def delete_model(self, request, obj):
        remove_delegate(obj)

    def delete_queryset(self, request, queryset):
        for delegate in queryset:
            remove_delegate(delegate)

    resource_classes = [DelegateResource]
    export_select_related = ("delegation", "meeting")
    list_display = (
        "name_latin",
        "name_cyrillic",
        "delegation",
        "role",
        "funded",
        "travel_status",
        "accreditation",
        "email",
    )
    list_filter = (
        "delegation__meeting",
        "delegation",
        "role",
        "funded",
        "accreditation",
        TravelStatusFilter,
        HotelFilter,
    )
    list_select_related = ("delegation",)
    search_fields = (
        "name_latin",
        "name_cyrillic",
        "email",
        "position_en",
        "position_ru",
    )
    readonly_fields = ("travel_check", "personal_link")
    inlines = [FlightLegInline, HotelStayInline, GroundTransferInline, PassportInline]
    actions = [
        "fund",
        "unfund",
        "issue_links",
        "reissue_links",
        "send_links",
    ]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "delegation",
                    "honorific",
                    ("name_latin", "name_cyrillic"),
                    ("position_en", "position_ru"),
                    ("role", "sort_order"),
                    "funded",
                    "travel_check",
                )
            },
        ),
        (
            _("Contact"),
            {"fields": (("email", "phone"), "preferred_language", "personal_link")},
        ),
        (_("Needs"), {"fields": ("dietary_needs", "accessibility_needs")}),
    )

    def get_queryset(self, request):
        # Counted per delegate shown (a subquery each), not by grouping every
        # delegate of the list with its legs: at 20,000 delegates the grouped
        # join took most of a second for a page of 100, and the list's counts
        # group it again.
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_legs=leg_count(~Q(status=FlightLeg.Status.CANCELLED)),
                open_legs=leg_count(
                    Q(status__in=[FlightLeg.Status.REQUESTED, FlightLeg.Status.BOOKED])
                ),
            )
        )

    @admin.display(description=_("travel"))
    def travel_status(self, obj):
        if not obj.active_legs:
            return _("no flights")
        if obj.open_legs:
            return ngettext(
                "%(n)s leg not ticketed", "%(n)s legs not ticketed", obj.open_legs
            ) % {"n": obj.open_legs}

        return _("ticketed")

    @admin.display(description=_("trip check"))
    def travel_check(self, obj):
        if not obj.pk:
            return "-"
        # Only the warnings are shown, and they leave cancelled legs out.
        delegate = delegates_with_travel(
            Delegate.objects.filter(pk=obj.pk), cancelled_flights=False
        )[0]
        warnings = travel_warnings(delegate, delegate.delegation.meeting)
        if not warnings:
            return _("The trip covers the meeting.") if obj.funded else "-"
        return format_html(
            '<ul class="errorlist">{}</ul>',
            format_html_join("", "<li>{}</li>", ((w,) for w in warnings)),
        )

    @admin.display(description=_("personal link"))
    def personal_link(self, obj):
        link = obj.links.filter(revoked_at__isnull=True).first() if obj.pk else None
        if link is None:
            return _("none issued")
        return format_html('<a href="{0}" target="_blank">{0}</a>', link_url(link))

    def save_model(self, request, obj, form, change):
        try:
            save_delegate(obj)
        except FundedQuotaExceeded as exc:
            # Lost a race with another save; the database refused the 4th.
            obj.funded = False
            save_delegate(obj)
            messages.error(request, exc.messages[0])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            raise

    def save_formset(self, request, form, formset, change):
        # Stays were checked by the formset through validate_hotel_stay, legs
        # by their forms through check_flight_times; the services save them
        # (the database refuses what another save made true meanwhile).
        save_list = {
            HotelStay: save_hotel_stays,
            FlightLeg: save_flight_legs,
            GroundTransfer: save_ground_transfers,
        }.get(formset.model)
        if save_list is None:
            return super().save_formset(request, form, formset, change)
        try:
            save_list(
                form.instance,
                formset.save(commit=False),
                removed=formset.deleted_objects,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        delegate = delegates_with_travel(
            Delegate.objects.filter(pk=form.instance.pk), cancelled_flights=False
        )
        for warning in travel_warnings(delegate[0], delegate[0].delegation.meeting):
            messages.warning(request, warning)

    @admin.action(description=_("Mark as funded"), permissions=["change"])
    def fund(self, request, queryset):
        done = 0
        for delegate in queryset.select_related("delegation"):
            try:
                mark_funded(delegate, funded=True)
                done += 1
            except FundedQuotaExceeded as exc:
                self.message_user(request, exc.messages[0], messages.ERROR)
        self.message_user(request, _("Marked as funded: %(n)s.") % {"n": done})

    @admin.action(description=_("Mark as not funded"), permissions=["change"])
    def unfund(self, request, queryset):
        for delegate in queryset:
            mark_funded(delegate, funded=False)
        self.message_user(
            request, _("Marked as not funded: %(n)s.") % {"n": queryset.count()}
        )

    @admin.action(description=_("Issue personal links"), permissions=["change"])
    def issue_links(self, request, queryset):
        for delegate in queryset:
            issue_itinerary_link(delegate)
        self.message_user(request, _("Links issued: %(n)s.") % {"n": queryset.count()})

    @admin.action(
        description=_("Reissue personal links (old links stop working)"),
        permissions=["change"],
    )
    def reissue_links(self, request, queryset):
        for delegate in queryset:
            issue_itinerary_link(delegate, reissue=True)
        self.message_user(
            request, _("Links reissued: %(n)s.") % {"n": queryset.count()}
        )

    @admin.action(description=_("Email personal links"), permissions=["change"])
    def send_links(self, request, queryset):
        sent = sum(send_itinerary_link(issue_itinerary_link(d)) for d in queryset)
        self.message_user(
            request, _("Links queued to be emailed: %(n)s.") % {"n": sent}
        )


@admin.register(AccessLink)
class AccessLinkAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "kind",
        "created_at",
        "expires_at",
        "sent_at",
        "last_opened_at",
        "revoked_at",
    )
    list_filter = ("kind", LinkMeetingFilter, LinkStateFilter)
    list_select_related = ("delegate", "delegation")
    readonly_fields = (
        "kind",
        "delegate",
        "delegation",
        "url",
        "created_at",
        "sent_at",
        "last_opened_at",
    )
    fields = readonly_fields + ("expires_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("link"))
    def url(self, obj):
        return link_url(obj)

    @admin.action(description=_("Revoke"), permissions=["change"])
    def revoke(self, request, queryset):
        for link in queryset:
            revoke_link(link)
        self.message_user(request, _("Links revoked: %(n)s.") % {"n": queryset.count()})


@admin.register(SelfServiceChange)
class SelfServiceChangeAdmin(admin.ModelAdmin):
    list_display = (
        "changed_at",
        "delegate",
        "field_label",
        "old_shown",
        "new_shown",
        "changed_by_shown",
    )
    list_select_related = ("delegate",)
    list_filter = ("field",)

    def get_queryset(self, request):
        return self_service_changes_visible_to(request.user).select_related(
            "delegate__delegation"
        )

    @admin.display(description=_("field"), ordering="field")
    def field_label(self, obj):
        return obj.field_label

    # As the readiness board shows them: dates by the one rule, who in the
    # reader's language.
    @admin.display(description=_("old value"))
    def old_shown(self, obj):
        return shown_value(obj.field, obj.old_value)

    @admin.display(description=_("new value"))
    def new_shown(self, obj):
        return shown_value(obj.field, obj.new_value)

    @admin.display(description=_("changed by"), ordering="changed_by")
    def changed_by_shown(self, obj):
        return who_changed(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def airport_moment(moment, iata: str) -> str:
    """Return "12 June 2017, 09:10 Astana time (UTC+6)" on the airport's clock."""
    if not moment:
        return ""
    return format_datetime(moment, airport_zone(iata), city=airport_city(iata))


@admin.register(FlightLeg)
class FlightLegAdmin(DelegationsImportExportMixin, ReadOnlyHistoryAdmin):
    form = FlightLegForm
    resource_classes = [FlightLegResource]
    export_select_related = ("delegate__delegation", "delegate__meeting")
    fields = ("delegate", *FlightLegForm.Meta.fields)
    raw_id_fields = ("delegate",)
    list_display = (
        "delegate",
        "delegation",
        "carrier",
        "flight_number",
        "from_airport",
        "departs",
        "to_airport",
        "arrives",
        "status",
        "fare",
        "currency",
    )
    list_filter = ("status", "delegate__meeting", "delegate__delegation")
    list_select_related = ("delegate__delegation",)
    search_fields = (
        "flight_number",
        "booking_reference",
        "delegate__name_latin",
        "delegate__name_cyrillic",
        "delegate__email",
    )

    @admin.display(description=_("delegation"), ordering="delegate__delegation")
    def delegation(self, obj):
        return obj.delegate.delegation

    @admin.display(description=_("departs (local)"), ordering="departs_at")
    def departs(self, obj):
        # On the airport's clock, named for people, by the one date rule.
        return airport_moment(obj.departs_local, obj.from_airport)

    @admin.display(description=_("arrives (local)"), ordering="arrives_at")
    def arrives(self, obj):
        return airport_moment(obj.arrives_local, obj.to_airport)

    def save_model(self, request, obj, form, change):
        save_flight_leg(obj)
