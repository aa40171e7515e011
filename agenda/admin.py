from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from agenda.forms import (
    ProgrammeDayForm,
    SessionAdminForm,
    SpeakingSlotFormSet,
    SpeakingSlotInlineForm,
)
from agenda.models import Room, Session, SpeakingSlot
from agenda.selectors import (
    day_programme,
    programme_days,
    programme_queryset,
    session_warnings,
    speakers_list,
)
from agenda.services import (
    move_slot,
    remove_speaking_slot,
    reorder_slots,
    save_session,
    save_speaking_slot,
)
from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.admin_inlines import LabelledTabularInline
from dialogue.i18n import requested_language
from dialogue.models import Meeting
from dialogue.timefmt import format_datetime, format_time

VIEW_PROGRAMME = "agenda.view_session"


def chosen_language(request) -> str:
    return requested_language(request)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_ru", "venue_en", "meeting", "sort_order")
    list_filter = ("meeting",)
    search_fields = ("name_en", "name_ru", "venue_en", "venue_ru")
    fields = ("meeting", ("name_en", "name_ru"), ("venue_en", "venue_ru"), "sort_order")


class SpeakingSlotInline(LabelledTabularInline):
    model = SpeakingSlot
    form = SpeakingSlotInlineForm
    formset = SpeakingSlotFormSet
    fields = ("order", "speaker", "subject_en", "subject_ru", "minutes", "move")
    readonly_fields = ("move",)
    extra = 0

    def get_queryset(self, request):
        # Each row's label names its speaker and session (with the meeting's zone).
        return (
            super().get_queryset(request).select_related("speaker", "session__meeting")
        )

    @admin.display(description=_("move"))
    def move(self, obj):
        if not obj.pk:
            return ""
        # Buttons of the session's form, handled by SessionAdmin.response_change.
        return format_html(
            '<button type="submit" name="_move" value="{}:up" title="{}">▲</button> '
            '<button type="submit" name="_move" value="{}:down" title="{}">▼</button>',
            obj.pk,
            _("Move up"),
            obj.pk,
            _("Move down"),
        )


@admin.register(Session)
class SessionAdmin(ReadOnlyHistoryAdmin):
    form = SessionAdminForm
    inlines = [SpeakingSlotInline]
    list_display = (
        "title_shown",
        "local_time",
        "room",
        "kind",
        "format",
        "invitation",
        "minutes_check",
        "speakers_links",
    )
    list_filter = ("meeting", "kind", "format", "invitation")
    search_fields = ("title_en", "title_ru")
    readonly_fields = ("checks", "speakers_links")
    filter_horizontal = ("chairs", "hosts", "invited_delegations")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "invited_delegations" and field is not None:
            # The two boxes read "Available delegations" / "Chosen delegations"
            # (from the field's name they read "Chosen chosen delegations").
            field.widget.verbose_name = _("delegations")
        return field

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "meeting",
                    "kind",
                    ("title_en", "title_ru"),
                    ("description_en", "description_ru"),
                )
            },
        ),
        (
            _("When and where"),
            {"fields": (("start_local", "end_local"), "room", "checks")},
        ),
        (
            _("Conduct"),
            {"fields": ("format", "interpretation", "chairs", "hosts")},
        ),
        (_("Invitation"), {"fields": ("invitation", "invited_delegations")}),
        (_("Speakers' list"), {"fields": ("speakers_links",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("meeting", "room")
            .annotate(allotted=Sum("slots__minutes"), slot_count=Count("slots"))
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "meeting" not in initial:
            first = Meeting.objects.order_by("-start_date").first()
            if first:
                initial["meeting"] = first.pk
        return initial

    @admin.display(description=_("title"), ordering="title_en")
    def title_shown(self, obj):
        # In the interface's language, as the day view and the programme.
        return obj.title(translation.get_language())

    @admin.display(description=_("time (local)"), ordering="start_at")
    def local_time(self, obj):
        # The one rule (dialogue.timefmt); the column says the clock is local.
        start = format_datetime(obj.start_at, obj.meeting, with_zone=False)
        return f"{start}–{format_time(obj.end_at, obj.meeting.tzinfo)}"

    @admin.display(description=_("minutes allotted / session"))
    def minutes_check(self, obj):
        allotted = obj.allotted or 0
        over = allotted - obj.duration_minutes
        if over > 0:
            return format_html(
                '<span class="errornote" style="padding:2px 6px">{} / {} (+{})</span>',
                allotted,
                obj.duration_minutes,
                over,
            )
        return f"{allotted} / {obj.duration_minutes}"

    @admin.display(description=_("checks"))
    def checks(self, obj):
        if not obj.pk:
            return "-"
        session = programme_queryset(obj.meeting_id).get(pk=obj.pk)
        warnings = session_warnings(session)
        if not warnings:
            return _("The speaking slots fit in the session.")
        return format_html(
            '<ul class="errorlist">{}</ul>',
            format_html_join("", "<li>{}</li>", ((w,) for w in warnings)),
        )

    @admin.display(description=_("speakers' list"))
    def speakers_links(self, obj):
        if not obj.pk:
            return "-"
        url = reverse("admin:agenda_speakers_list", args=[obj.pk])
        return format_html(
            '<a href="{0}?lang=en">English</a> · <a href="{0}?lang=ru">Русский</a>',
            url,
        )

    # Saving: the session and its slots go through the services, which hold the
    # rules; the forms have already shown any error on its field or row.

    def save_model(self, request, obj, form, change):
        save_session(
            obj,
            chairs=form.cleaned_data.get("chairs"),
            hosts=form.cleaned_data.get("hosts"),
            invited_delegations=form.cleaned_data.get("invited_delegations"),
            # The speakers the inline will leave (set by its formset's clean).
            speaker_ids=getattr(obj, "final_speaker_ids", None),
        )

    def save_related(self, request, form, formsets, change):
        # Many-to-many relations were saved by save_session.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not SpeakingSlot:
            return super().save_formset(request, form, formset, change)
        session = form.instance
        # The admin's change message reads these three lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
        for slot_form in formset.deleted_forms:
            if slot_form.instance.pk:
                remove_speaking_slot(slot_form.instance)
                formset.deleted_objects.append(slot_form.instance)
        wanted = {}
        for slot_form in formset.kept_forms():
            slot = slot_form.instance
            slot.session = session
            if slot.pk is None:
                save_speaking_slot(slot)
                formset.new_objects.append(slot)
            elif set(slot_form.changed_data) - {"order"}:
                save_speaking_slot(slot)
                formset.changed_objects.append((slot, slot_form.changed_data))
            wanted[slot.pk] = slot_form.cleaned_data.get("order")
        # Blank orders go last; ties keep the stored order; then 1..n.
        current = session.slots.order_by("position").values_list("pk", "position")
        ordered = sorted(
            current, key=lambda row: (wanted.get(row[0]) or 10_000, row[1])
        )
        reorder_slots(session, slot_ids=[pk for pk, _position in ordered])
        fresh = programme_queryset(session.meeting_id).get(pk=session.pk)
        for warning in session_warnings(fresh):
            messages.warning(request, warning)

    def response_change(self, request, obj):
        move = request.POST.get("_move", "")
        if move and self.has_change_permission(request, obj):
            slot_id, _sep, direction = move.partition(":")
            slot = SpeakingSlot.objects.filter(pk=slot_id, session=obj).first()
            if slot and direction in ("up", "down"):
                move_slot(slot, by=-1 if direction == "up" else 1)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # Views of the programme: a printable speakers' list and a day view.

    def get_urls(self):
        return [
            path(
                "<int:session_id>/speakers/",
                self.admin_site.admin_view(self.speakers_list_view),
                name="agenda_speakers_list",
            ),
            path(
                "day/",
                self.admin_site.admin_view(self.day_view),
                name="agenda_day",
            ),
            *super().get_urls(),
        ]

    def speakers_list_view(self, request, session_id: int):
        if not request.user.has_perm(VIEW_PROGRAMME):
            raise PermissionDenied
        meeting_id = (
            Session.objects.filter(pk=session_id)
            .values_list("meeting_id", flat=True)
            .first()
        )
        session = get_object_or_404(programme_queryset(meeting_id), pk=session_id)
        lang = chosen_language(request)
        with translation.override(lang):
            context = {
                **self.admin_site.each_context(request),
                "title": session.title(lang),
                "session": session,
                "lang": lang,
                "rows": speakers_list(session),
                "warnings": session_warnings(session),
                "chairs": list(session.chairs.all()),
                "hosts": list(session.hosts.all()),
            }
            response = TemplateResponse(
                request, "admin/agenda/speakers_list.html", context
            )
            return response.render()

    def day_view(self, request):
        if not request.user.has_perm(VIEW_PROGRAMME):
            raise PermissionDenied
        form = ProgrammeDayForm(request.GET or None)
        meeting = day = None
        if form.is_valid():
            meeting, day = form.cleaned_data["meeting"], form.cleaned_data["day"]
        elif request.GET and form.errors:
            raise Http404("No such day.")
        meeting = meeting or Meeting.objects.order_by("-start_date").first()
        days = programme_days(meeting) if meeting else []
        day = day or (days[0] if days else None)
        sessions = day_programme(meeting, day) if meeting and day else []
        lang = chosen_language(request)
        with translation.override(lang):
            context = {
                **self.admin_site.each_context(request),
                "title": _("Programme of the day"),
                "meeting": meeting,
                "meetings": Meeting.objects.all(),
                "day": day,
                "days": days,
                "lang": lang,
                "items": [
                    {"session": s, "warnings": session_warnings(s)} for s in sessions
                ],
            }
            response = TemplateResponse(request, "admin/agenda/day.html", context)
            return response.render()
