"""The packs' admin: packs, visa letters, worker heartbeats, and the "render the
briefing packs" action it adds to the meeting list (dialogue/admin.py's hook)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accreditation.selectors.badges import badge_counts
from delegations.selectors import delegate_with_delegation, funded_delegates
from dialogue.admin import register_meeting_action
from dialogue.ids import parse_id
from dialogue.models import Meeting
from dialogue.packs.models import TRAVEL_LISTS, Pack, WorkerHeartbeat
from dialogue.packs.selectors import (
    badge_sheet_table,
    pack_progress,
    stale_packs,
    travel_list_table,
)
from dialogue.packs.services import (
    queue_badge_sheets,
    queue_packs,
    queue_travel_lists,
    queue_visa_letter,
    queue_visa_letters,
    requeue_packs,
)

PASSPORT_PERMISSION = "delegations.view_passport_details"
RENDER_PERMISSION = "packs.change_pack"
# The travel lists show flights, hotels and cars: staff who see travel.
TRAVEL_PERMISSION = "delegations.view_flightleg"
# Badge sheets print names and photos: staff who see badges.
BADGE_PERMISSION = "accreditation.view_badge"


@admin.action(description=_("Render the briefing packs (changed ones only)"))
def render_briefing_packs(modeladmin, request, queryset):
    for meeting in queryset:
        result = queue_packs(meeting)
        modeladmin.message_user(
            request,
            ngettext(
                "%(meeting)s: %(queued)s pack queued, %(skipped)s unchanged, "
                "%(busy)s already in progress.",
                "%(meeting)s: %(queued)s packs queued, %(skipped)s unchanged, "
                "%(busy)s already in progress.",
                len(result.queued),
            )
            % {
                "meeting": meeting,
                "queued": len(result.queued),
                "skipped": result.skipped,
                "busy": result.in_progress,
            },
        )


register_meeting_action(
    render_briefing_packs,
    allowed=lambda request: request.user.has_perm(RENDER_PERMISSION),
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
        return [*Pack.Status.choices, ("stale", _("stale (re-rendering)"))]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return stale_packs(queryset)
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
    change_list_template = "admin/packs/pack/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.has_perm(PASSPORT_PERMISSION):
            queryset = queryset.exclude(kind=Pack.Kind.VISA_LETTER)
        if not request.user.has_perm(TRAVEL_PERMISSION):
            queryset = queryset.exclude(kind__in=TRAVEL_LISTS)
        if not request.user.has_perm(BADGE_PERMISSION):
            queryset = queryset.exclude(kind=Pack.Kind.BADGES)
        return queryset

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        badge = format_html(
            '<span class="pack-status pack-{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )
        if not obj.is_outdated:
            return badge
        return format_html(
            '{} <span class="pack-status pack-stale">{}</span>',
            badge,
            _("stale, re-rendering"),
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
        url = reverse("admin:packs_pack_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.get_file_format_display())

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
                name="packs_pack_download",
            ),
            path(
                "travel-lists/",
                self.admin_site.admin_view(self.travel_lists_view),
                name="packs_travel_lists",
            ),
            path(
                "badges/",
                self.admin_site.admin_view(self.badges_view),
                name="packs_badges",
            ),
            path(
                "visa-letters/",
                self.admin_site.admin_view(self.visa_letters_view),
                name="packs_visa_letters",
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
        elif pack.kind == Pack.Kind.BADGES:
            if not request.user.has_perm(BADGE_PERMISSION):
                raise PermissionDenied
            name = f"badges-{pack.delegation_id or 'all'}.pdf"
        elif pack.is_travel_list:
            if not request.user.has_perm(TRAVEL_PERMISSION):
                raise PermissionDenied
            target = f"-{pack.delegation_id}" if pack.delegation_id else ""
            name = f"{pack.kind}{target}-{pack.language}.{pack.file_format}"
        else:
            name = f"briefing-pack-{pack.delegation_id}-{pack.language}.pdf"
        response = pdf_response(pack, name)
        response["Cache-Control"] = "private, no-store"
        return response

    def visa_letters_view(self, request):
        """List funded delegates with passports; POST delegate=<id> queues a letter."""
        if not (
            request.user.has_perm(PASSPORT_PERMISSION)
            and request.user.has_perm(RENDER_PERMISSION)
        ):
            raise PermissionDenied
        if request.method == "POST" and "batch" in request.POST:
            return self.queue_visa_letter_batch(request)
        if request.method == "POST":
            delegate_id = request.POST.get("delegate", "")
            delegate = delegate_with_delegation(parse_id(delegate_id))
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
        delegates = funded_delegates(meeting)
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
            "delegations": list(dict.fromkeys(d.delegation for d in delegates)),
            "progress": pack_progress(meeting, kind=Pack.Kind.VISA_LETTER)
            if meeting
            else None,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/packs/pack/visa_letters.html", context)

    def badges_view(self, request):
        """The meeting's badge sheets: one per delegation with badges and one of
        the whole meeting, their render state, progress and downloads. POST
        delegation=<id> renders one delegation's, meeting=<id> the whole
        meeting's, all=<id> every sheet; retry=<pack id> one again."""
        if not (
            self.has_view_permission(request)
            and request.user.has_perm(BADGE_PERMISSION)
        ):
            raise PermissionDenied
        meetings = Meeting.objects.all()
        chosen = request.GET.get("meeting", "") or request.POST.get("meeting", "")
        meeting = (
            meetings.filter(pk=parse_id(chosen)).first()
            if parse_id(chosen)
            else meetings.first()
        )
        if request.method == "POST":
            return self.queue_badge_request(request, meeting)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Badge sheets"),
            "meeting": meeting,
            "meetings": meetings,
            "table": badge_sheet_table(meeting) if meeting else None,
            "progress": pack_progress(meeting, kind=Pack.Kind.BADGES)
            if meeting
            else None,
            "may_render": request.user.has_perm(RENDER_PERMISSION),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/packs/pack/badges.html", context)

    def queue_badge_request(self, request, meeting):
        if not request.user.has_perm(RENDER_PERMISSION):
            raise PermissionDenied
        if meeting is None:
            raise Http404("No such meeting.")
        back = redirect(f"{request.path}?meeting={meeting.pk}")
        force = request.POST.get("force") == "1"
        if "retry" in request.POST:
            pack = Pack.objects.filter(
                pk=parse_id(request.POST["retry"]),
                kind=Pack.Kind.BADGES,
                meeting=meeting,
            ).first()
            if pack is None:
                raise Http404("No such sheet.")
            requeue_packs([pack])
            messages.success(request, _("%(list)s is queued.") % {"list": pack})
            return back
        if "all" in request.POST:
            delegation_ids, whole = sorted(badge_counts(meeting.pk)), True
        elif "delegation" in request.POST:
            delegation = meeting.delegations.filter(
                pk=parse_id(request.POST["delegation"])
            ).first()
            if delegation is None:
                raise Http404("No such delegation.")
            delegation_ids, whole = [delegation.pk], False
        else:
            delegation_ids, whole = [], True
        result = queue_badge_sheets(
            meeting, delegation_ids=delegation_ids, whole_meeting=whole, force=force
        )
        messages.success(
            request,
            ngettext(
                "%(queued)s badge sheet queued, %(skipped)s unchanged, "
                "%(busy)s already in progress.",
                "%(queued)s badge sheets queued, %(skipped)s unchanged, "
                "%(busy)s already in progress.",
                len(result.queued),
            )
            % {
                "queued": len(result.queued),
                "skipped": result.skipped,
                "busy": result.in_progress,
            },
        )
        return back

    def travel_lists_view(self, request):
        """The meeting's manifest, rooming list and transfer manifest: render
        state, downloads per language and format. POST prepare=<meeting id>
        queues every list (changed ones only); retry=<pack id> renders one
        again."""
        allowed = self.has_view_permission(request) and request.user.has_perm(
            TRAVEL_PERMISSION
        )
        if not allowed:
            raise PermissionDenied
        if request.method == "POST":
            return self.queue_travel_list_request(request)
        meetings = Meeting.objects.all()
        chosen = request.GET.get("meeting", "")
        meeting = (
            meetings.filter(pk=parse_id(chosen)).first()
            if parse_id(chosen)
            else meetings.first()
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Manifests and travel lists"),
            "meeting": meeting,
            "meetings": meetings,
            "table": travel_list_table(meeting) if meeting else None,
            "may_render": request.user.has_perm(RENDER_PERMISSION),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/packs/pack/travel_lists.html", context)

    def queue_travel_list_request(self, request):
        if not request.user.has_perm(RENDER_PERMISSION):
            raise PermissionDenied
        if "retry" in request.POST:
            pack = Pack.objects.filter(
                pk=parse_id(request.POST["retry"]), kind__in=TRAVEL_LISTS
            ).first()
            if pack is None:
                raise Http404("No such list.")
            requeue_packs([pack])
            messages.success(request, _("%(list)s is queued.") % {"list": pack})
            return redirect(f"{request.path}?meeting={pack.meeting_id}")
        meeting = Meeting.objects.filter(
            pk=parse_id(request.POST.get("prepare", ""))
        ).first()
        if meeting is None:
            raise Http404("No such meeting.")
        queued = queue_travel_lists(meeting, force=request.POST.get("force") == "1")
        messages.success(
            request,
            ngettext(
                "%(count)s list queued; the others are up to date.",
                "%(count)s lists queued; the others are up to date.",
                len(queued),
            )
            % {"count": len(queued)},
        )
        return redirect(f"{request.path}?meeting={meeting.pk}")

    def queue_visa_letter_batch(self, request):
        """POST batch=<meeting id>[, delegation=<id>]: one task for all letters."""
        meeting = Meeting.objects.filter(
            pk=parse_id(request.POST.get("batch", ""))
        ).first()
        if meeting is None:
            raise Http404("No such meeting.")
        delegation_id = parse_id(request.POST.get("delegation", "")) or None
        batch = queue_visa_letters(
            meeting, delegation_id=delegation_id, force=request.POST.get("force") == "1"
        )
        queued, fresh = len(batch.queued), batch.up_to_date
        text = ngettext(
            "%(count)s visa letter queued as one task.",
            "%(count)s visa letters queued as one task.",
            queued,
        ) % {"count": queued}
        if fresh:
            text += " " + ngettext(
                "%(count)s was already up to date.",
                "%(count)s were already up to date.",
                fresh,
            ) % {"count": fresh}
        messages.success(request, text)
        for reason in batch.refused:
            messages.warning(request, reason)
        return redirect(request.get_full_path())
