from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.ids import parse_id
from dialogue.models import Meeting, Pack, WorkerHeartbeat
from dialogue.packs.selectors import pack_progress
from dialogue.services import queue_packs, queue_visa_letter, requeue_packs

PASSPORT_PERMISSION = "delegations.view_passport_details"

admin.site.site_header = _("Dialogue: meeting secretariat")
admin.site.site_title = _("Dialogue secretariat")
admin.site.index_title = _("Secretariat")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("short_title_en", "start_date", "end_date", "city_en")
    actions = ["render_briefing_packs"]

    @admin.action(
        description=_("Render the briefing packs (changed ones only)"),
        permissions=["render_packs"],
    )
    def render_briefing_packs(self, request, queryset):
        for meeting in queryset:
            result = queue_packs(meeting)
            self.message_user(
                request,
                _(
                    "%(meeting)s: %(queued)s pack(s) queued, %(skipped)s unchanged, "
                    "%(busy)s already in progress."
                )
                % {
                    "meeting": meeting,
                    "queued": len(result.queued),
                    "skipped": result.skipped,
                    "busy": result.in_progress,
                },
            )

    def has_render_packs_permission(self, request):
        return request.user.has_perm("dialogue.change_pack")

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


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "seen_at")
    readonly_fields = ("hostname", "seen_at", "token")

    def has_add_permission(self, request):
        return False


class PackStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Pack.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(Pack)
class PackAdmin(admin.ModelAdmin):
    list_display = (
        "delegation",
        "kind",
        "language",
        "status_badge",
        "pages",
        "finished_at",
        "render_seconds_display",
        "attempts",
        "error_summary",
        "download",
    )
    list_filter = ("meeting", PackStatusFilter, "language", "kind")
    list_select_related = ("delegation", "delegate")
    search_fields = ("delegation__name_en", "delegation__name_ru")
    readonly_fields = (
        "meeting",
        "delegation",
        "delegate",
        "kind",
        "language",
        "status",
        "fingerprint",
        "file",
        "pages",
        "size",
        "error",
        "attempts",
        "worker",
        "queued_at",
        "started_at",
        "finished_at",
        "render_seconds",
        "download",
    )
    fields = readonly_fields
    actions = ["render_selected", "retry_failed"]
    change_list_template = "admin/dialogue/pack/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.has_perm(PASSPORT_PERMISSION):
            queryset = queryset.filter(kind=Pack.Kind.BRIEFING)
        return queryset

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="pack-status pack-{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )

    @admin.display(description=_("seconds"), ordering="render_seconds")
    def render_seconds_display(self, obj):
        return f"{obj.render_seconds:.1f}" if obj.render_seconds is not None else "-"

    @admin.display(description=_("error"))
    def error_summary(self, obj):
        return obj.error.splitlines()[0][:120] if obj.error else ""

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj.file:
            return "-"
        url = reverse("admin:dialogue_pack_download", args=[obj.pk])
        return format_html('<a href="{}">PDF</a>', url)

    def changelist_view(self, request, extra_context=None):
        meeting_id = request.GET.get("meeting__id__exact")
        meeting = (
            Meeting.objects.filter(pk=parse_id(meeting_id)).first()
            if parse_id(meeting_id)
            else None
        )
        extra = {"progress": pack_progress(meeting), "progress_meeting": meeting}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @admin.action(
        description=_("Render the selected packs again"), permissions=["change"]
    )
    def render_selected(self, request, queryset):
        queued = requeue_packs(self.get_queryset(request).filter(pk__in=queryset))
        self.message_user(request, _("Packs queued: %(n)s.") % {"n": len(queued)})

    @admin.action(description=_("Retry the failed packs"), permissions=["change"])
    def retry_failed(self, request, queryset):
        failed = self.get_queryset(request).filter(
            pk__in=queryset, status=Pack.Status.FAILED
        )
        queued = requeue_packs(failed)
        self.message_user(request, _("Packs queued: %(n)s.") % {"n": len(queued)})

    def get_urls(self):
        return [
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="dialogue_pack_download",
            ),
            path(
                "visa-letters/",
                self.admin_site.admin_view(self.visa_letters_view),
                name="dialogue_visa_letters",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id):
        """Stream a pack to staff; a visa letter needs the passport permission."""
        from dialogue.packs.views import pdf_response

        if not self.has_view_permission(request):
            raise PermissionDenied
        pack = Pack.objects.filter(pk=parse_id(object_id))
        pack = pack.select_related("delegation", "delegate").first()
        if pack is None or not pack.file:
            raise Http404("No such pack.")
        if pack.kind == Pack.Kind.VISA_LETTER:
            if not request.user.has_perm(PASSPORT_PERMISSION):
                raise PermissionDenied
            name = f"visa-letter-{pack.delegate_id}.pdf"
        else:
            name = f"briefing-pack-{pack.delegation_id}-{pack.language}.pdf"
        response = pdf_response(pack, name)
        response["Cache-Control"] = "private, no-store"
        return response

    def visa_letters_view(self, request):
        """List funded delegates with passports; POST delegate=<id> queues a letter."""
        from delegations.models import Delegate

        if not (
            request.user.has_perm(PASSPORT_PERMISSION)
            and request.user.has_perm("dialogue.change_pack")
        ):
            raise PermissionDenied
        if request.method == "POST":
            delegate_id = request.POST.get("delegate", "")
            delegate = (
                Delegate.objects.select_related("delegation")
                .filter(pk=parse_id(delegate_id))
                .first()
            )
            if delegate is None:
                raise Http404("No such delegate.")
            try:
                queue_visa_letter(delegate, force=request.POST.get("force") == "1")
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("The visa letter for %(name)s is queued.")
                    % {"name": delegate.name_latin},
                )
            return redirect(request.get_full_path())
        meetings = Meeting.objects.all()
        chosen = request.GET.get("meeting", "")
        meeting = (
            meetings.filter(pk=parse_id(chosen)).first()
            if parse_id(chosen)
            else meetings.first()
        )
        delegates = (
            Delegate.objects.filter(delegation__meeting=meeting, funded=True)
            .select_related("delegation", "passport")
            .order_by("delegation__sort_order", "sort_order", "id")
            if meeting
            else Delegate.objects.none()
        )
        letters = {
            p.delegate_id: p
            for p in Pack.objects.filter(
                kind=Pack.Kind.VISA_LETTER, delegate__in=delegates
            )
        }
        rows = [
            {
                "delegate": d,
                "has_passport": hasattr(d, "passport"),
                "letter": letters.get(d.pk),
            }
            for d in delegates
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Visa support letters"),
            "meeting": meeting,
            "meetings": meetings,
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/dialogue/pack/visa_letters.html", context
        )
