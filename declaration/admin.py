"""The drafters' admin: versions, the draft editor, circulation, comments, diffs
and adoption. Every change goes through declaration.services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from declaration.diff import diff_paragraphs
from declaration.forms import (
    AdoptionForm,
    CirculateForm,
    DecideCommentForm,
    DiffForm,
    DraftForm,
    ExtendDeadlineForm,
    ParagraphFormSet,
    SilenceForm,
    sign_base,
    unsign_base,
)
from declaration.models import (
    Adoption,
    Comment,
    Compilation,
    Declaration,
    Paragraph,
    Silence,
    Version,
    VersionFrozen,
    paragraph_label,
)
from declaration.pdf import pdf_filename, render_version_pdf
from declaration.selectors import (
    amendment_summary,
    as_paras_from_texts,
    circulation_recipients_preview,
    circulation_status,
    comments_page,
    compilation_state,
    counterparts,
    draft_of,
    lag_labels,
    previous_circulated,
    provisional_labels,
    taken_into_paragraphs,
    translation_checks,
    translation_lags,
    version_diff,
    version_lags,
    version_paragraphs,
    versions_with_counts,
    with_paragraph_ordinal,
)
from declaration.services import (
    EditConflict,
    circulate_version,
    is_adopted,
    record_adoption,
    request_compilation,
    resend_circulation_emails,
    retry_silence,
    save_draft,
    share_compilation,
    snapshot,
    start_draft,
)
from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.admin_inlines import LabelledTabularInline
from dialogue.forms import add_service_error
from dialogue.ids import parse_id
from dialogue.timefmt import format_date, format_datetime

CIRCULATE = "declaration.circulate_version"
ADOPT = "declaration.record_adoption"


def sending_state(row) -> str:
    """Return when a circulation email went out, or why it has not (yet)."""
    if row.sent_at:
        return format_datetime(row.sent_at)
    email = getattr(row, "outbox_email", None)
    if email is None:
        return str(_("not yet"))
    if email.status == "queued":
        if email.error:
            return str(_("queued, retrying: %(reason)s") % {"reason": email.error})
        return str(_("queued"))
    return str(
        _("%(status)s: %(reason)s")
        % {"status": email.get_status_display(), "reason": email.error}
    )


def lag_message(changed: str) -> str:
    """Return the translation-lag flag: which language changed alone."""
    if changed == "en":
        return str(_("English changed, Russian not"))
    return str(_("Russian changed, English not"))


def version_url(name: str, *args) -> str:
    return reverse(f"admin:declaration_version_{name}", args=args)


class VersionInline(LabelledTabularInline):
    model = Version
    fields = ("number", "status", "author_name", "created_at", "circulated_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title_en", "title_ru", "meeting", "state")
    list_filter = ("meeting",)
    search_fields = ("title_en", "title_ru")
    fields = ("meeting", "title_en", "title_ru")
    inlines = [VersionInline]
    actions = ["new_draft"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description=_("versions"))
    def state(self, obj):
        return ", ".join(
            f"v{v.number} {v.get_status_display()}" for v in obj.versions.all()
        )

    def has_draft_permission(self, request):
        return request.user.has_perm("declaration.add_version")

    @admin.action(
        description=_("Start a new draft from the latest version"),
        permissions=["draft"],
    )
    def new_draft(self, request, queryset):
        for declaration in queryset:
            try:
                draft = start_draft(declaration, by=request.user)
            except ValidationError as exc:
                self.message_user(request, exc.messages[0], messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(title)s: draft version %(number)s is ready to edit.")
                    % {"title": declaration.title_en, "number": draft.number},
                )


@admin.register(Version)
class VersionAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "declaration",
        "number",
        "status",
        "author_name",
        "created_at",
        "circulated_at",
        "deadline",
        "comment_count",
    )
    list_filter = ("declaration__meeting", "declaration", "status")
    list_select_related = ("declaration__meeting",)
    readonly_fields = (
        "declaration",
        "number",
        "status",
        "author_name",
        "created_at",
        "circulated_at",
        "deadline",
        "tools",
        "text",
        "circulation",
        "adoption_record",
        "silence_record",
        "text_history",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("declaration", "number", "status"),
                    ("author_name", "created_at"),
                    ("circulated_at", "deadline"),
                    "tools",
                )
            },
        ),
        (_("Text"), {"fields": ("text",)}),
        (
            _("Circulation"),
            {"fields": ("circulation", "silence_record", "adoption_record")},
        ),
        (_("Changes to the text"), {"fields": ("text_history",)}),
    )
    actions = ["circulate", "resend_circulation"]

    change_form_template = "admin/declaration/version/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The version's page, with its compilation of comments below the
        fieldsets (state, files, and the buttons for this user)."""
        version = (
            Version.objects.filter(pk=parse_id(object_id))
            .select_related("declaration__meeting")
            .first()
        )
        if version is not None and not version.is_draft:
            extra_context = {
                **(extra_context or {}),
                "compilation": compilation_state(
                    version,
                    Compilation.objects.filter(version=version)
                    .select_related("shared_by")
                    .first(),
                    can_share=request.user.has_perm("declaration.change_version"),
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .annotate(
                comment_total=Count(
                    "comments",
                    filter=Q(comments__withdrawn_at__isnull=True),
                    distinct=True,
                )
            )
        )

    # Permissions: a frozen version is read-only; versions start as drafts only
    # through "new draft" (a copy of the latest version).

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.is_frozen or is_adopted(obj.declaration)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def has_circulate_permission(self, request, obj=None):
        return request.user.has_perm(CIRCULATE)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # drafts are deleted one at a time
        return actions

    # Columns and read-only sections ---------------------------------------

    @admin.display(description=_("deadline for comments"))
    def deadline(self, obj):
        if not obj.comment_deadline:
            return "-"
        meeting = obj.declaration.meeting
        return format_datetime(obj.comment_deadline, meeting)

    @admin.display(description=_("comments"), ordering="comment_total")
    def comment_count(self, obj):
        return obj.comment_total

    @admin.display(description=_("actions"))
    def tools(self, obj):
        links = []
        if obj.is_draft and not is_adopted(obj.declaration):
            links.append((version_url("text", obj.pk), _("Edit the text")))
            links.append((version_url("circulate", obj.pk), _("Circulate")))
        if obj.status == Version.Status.CIRCULATED:
            links.append((version_url("adopt", obj.pk), _("Record adoption")))
            links.append(
                (version_url("extend_deadline", obj.pk), _("Extend the deadline"))
            )
            if not obj.silences.filter(status=Silence.Status.RUNNING).exists():
                links.append(
                    (version_url("silence", obj.pk), _("Put under silence procedure"))
                )
        if obj.is_frozen:
            links.append((version_url("comments", obj.pk), _("Comments")))
        previous = previous_circulated(obj)
        if previous is not None:
            links.append(
                (
                    f"{version_url('diff')}?old={previous.pk}&new={obj.pk}&lang=en",
                    _("Compare with version %(number)s") % {"number": previous.number},
                )
            )
        for code, label in (("en", _("PDF (English)")), ("ru", _("PDF (Russian)"))):
            links.append((version_url("pdf", obj.pk, code), label))
        return format_html_join(" · ", '<a class="button" href="{}">{}</a>', links)

    @admin.display(description=_("text"))
    def text(self, obj):
        paragraphs = version_paragraphs(obj)
        if not paragraphs:
            return _("No paragraphs yet.")
        taken = taken_into_paragraphs(obj)
        lags = {lag.paragraph.pk: lag for lag in version_lags(obj)}
        checks = translation_checks(obj)
        return format_html(
            '<table class="declaration-text"><thead><tr><th></th><th>{}</th>'
            "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("English"),
            _("Russian"),
            _("translation"),
            _("taken from"),
            format_html_join(
                "",
                '<tr><th class="label">{}</th><td lang="en">{}{}</td>'
                '<td lang="ru">{}{}</td><td class="translation-lag">{}</td>'
                '<td class="taken-from">{}</td></tr>',
                (
                    (
                        p.label,
                        f"{p.number}. " if p.number else "",
                        p.text_en,
                        f"{p.number}. " if p.number else "",
                        p.text_ru,
                        self.lag_flag(lags.get(p.pk), checks.get(p.pk)),
                        self.taken_from(taken.get(p.pk, [])),
                    )
                    for p in paragraphs
                ),
            ),
        )

    def lag_flag(self, lag, check) -> str:
        """Return the translation-lag badge of a paragraph, and its confirmation."""
        if lag is None:
            return ""
        flag = format_html(
            '<span class="badge warn" id="lag-{}">{}</span>',
            lag.paragraph.pk,
            lag_message(lag.changed),
        )
        if check is None or not check.covers(lag.paragraph, lag.changed):
            return flag
        who = check.confirmed_by.get_username() if check.confirmed_by else "-"
        return format_html(
            "{} {}",
            flag,
            _("confirmed by %(who)s on %(when)s: no change needed")
            % {"who": who, "when": format_datetime(check.confirmed_at)},
        )

    def taken_from(self, comments) -> str:
        """Return links to the comments taken into a paragraph."""
        return format_html_join(
            "<br>",
            '<a href="{}?paragraph={}#comment-{}">{}</a>',
            (
                (
                    version_url("comments", c.version_id),
                    c.paragraph_id,
                    c.pk,
                    _("%(delegation)s, version %(number)s (%(outcome)s)")
                    % {
                        "delegation": c.delegation.localised_name,
                        "number": c.version.number,
                        "outcome": c.get_outcome_display(),
                    },
                )
                for c in comments
            ),
        )

    @admin.display(description=_("sent and opened"))
    def circulation(self, obj):
        status = circulation_status(obj)
        if not status.rows:
            return _("Not circulated.")
        never = _("not yet")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    row.delegation.localised_name,
                    row.email or _("no focal-point email"),
                    sending_state(row),
                    format_datetime(row.first_opened_at)
                    if row.first_opened_at
                    else never,
                )
                for row in status.rows
            ),
        )
        not_opened = ", ".join(
            row.delegation.localised_name for row in status.not_opened
        )
        resend = ""
        if status.failed:
            resend = format_html(
                '<p id="circulation-failed"><strong>{}</strong> {} {}</p>',
                _("Not delivered:"),
                ", ".join(row.delegation.localised_name for row in status.failed),
                _("Use the action “Send the failed circulation emails again”."),
            )
        return format_html(
            '{}<p id="not-opened"><strong>{}</strong> {}</p>'
            '<table id="circulation"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            resend,
            _("Not yet opened by:"),
            not_opened or _("every delegation has opened it."),
            _("delegation"),
            _("sent to"),
            _("email sent (UTC)"),
            _("first opened (UTC)"),
            rows,
        )

    @admin.display(description=_("adoption"))
    def adoption_record(self, obj):
        adoption = Adoption.objects.filter(version=obj).first()
        if adoption is None:
            return "-"
        if adoption.by_acclamation:
            how = _("by acclamation")
        elif adoption.by_silence:
            how = _("by silence procedure")
        else:
            how = ", ".join(d.localised_name for d in adoption.delegations.all())
        return format_html("{} · {}", format_date(adoption.adopted_on), how)

    @admin.display(description=_("silence procedure"))
    def silence_record(self, obj):
        silences = list(
            obj.silences.prefetch_related("objections__delegation").order_by(
                "-started_at"
            )
        )
        if not silences:
            return "-"
        meeting = obj.declaration.meeting
        return format_html_join(
            "",
            '<div class="silence" id="silence-{}"><span class="badge{}">{}</span> {}'
            "{}{}</div>",
            (
                (
                    silence.pk,
                    " bad" if silence.status == Silence.Status.BROKEN else "",
                    silence.get_status_display(),
                    _("until %(deadline)s")
                    % {"deadline": format_datetime(silence.until, meeting)},
                    format_html_join(
                        "",
                        '<p class="objection"><strong>{}</strong> ({}): {}</p>',
                        (
                            (
                                o.delegation.localised_name,
                                format_datetime(o.created_at, meeting),
                                o.reason,
                            )
                            for o in silence.objections.all()
                        ),
                    ),
                    self.silence_failure(obj, silence),
                )
                for silence in silences
            ),
        )

    def silence_failure(self, version, silence) -> str:
        """Return why concluding the silence failed, with a retry button (it
        posts the change form's CSRF token to the retry view)."""
        if silence.status != Silence.Status.RUNNING or not silence.failure:
            return ""
        if silence.failed_at is None:
            return format_html(
                '<p class="silence-failure">{}</p>',
                _("Concluding it is being retried: %(reason)s")
                % {"reason": silence.failure},
            )
        return format_html(
            '<p class="silence-failure" id="silence-failed-{}"><span class="badge bad">'
            "{}</span> {} "
            '<button type="submit" class="button" formmethod="post" '
            'formaction="{}" formnovalidate>{}</button></p>',
            silence.pk,
            _("failed"),
            _("Concluding the silence failed on %(when)s: %(reason)s")
            % {"when": format_datetime(silence.failed_at), "reason": silence.failure},
            version_url("silence_retry", version.pk),
            _("Retry concluding the silence"),
        )

    @admin.display(description=_("who changed what, when"))
    def text_history(self, obj):
        records = (
            Paragraph.history.filter(version_id=obj.pk)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:30]
        )
        kinds = {"+": _("added"), "~": _("changed"), "-": _("deleted")}
        if not records:
            return "-"
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td></tr>",
                (
                    (
                        format_datetime(r.history_date),
                        r.history_user.get_username() if r.history_user else "-",
                        kinds.get(r.history_type, r.history_type),
                        _("paragraph %(n)s") % {"n": r.position},
                        r.text_en[:80],
                    )
                    for r in records
                ),
            ),
        )

    # Actions ------------------------------------------------------------

    @admin.action(
        description=_("Circulate the selected draft"), permissions=["circulate"]
    )
    def circulate(self, request, queryset):
        drafts = list(queryset.filter(status=Version.Status.DRAFT)[:2])
        if len(drafts) != 1:
            self.message_user(
                request, _("Select exactly one draft to circulate."), messages.ERROR
            )
            return None
        return HttpResponseRedirect(version_url("circulate", drafts[0].pk))

    @admin.action(
        description=_("Send the failed circulation emails again"),
        permissions=["circulate"],
    )
    def resend_circulation(self, request, queryset):
        count = sum(resend_circulation_emails(version) for version in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)s circulation email queued again.",
                "%(count)s circulation emails queued again.",
                count,
            )
            % {"count": count},
        )

    # Views --------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("diff/", view(self.diff_view), name="declaration_version_diff"),
            path(
                "<int:pk>/text/", view(self.text_view), name="declaration_version_text"
            ),
            path(
                "<int:pk>/circulate/",
                view(self.circulate_view),
                name="declaration_version_circulate",
            ),
            path(
                "<int:pk>/extend-deadline/",
                view(self.extend_deadline_view),
                name="declaration_version_extend_deadline",
            ),
            path(
                "<int:pk>/comments/",
                view(self.comments_view),
                name="declaration_version_comments",
            ),
            path(
                "<int:pk>/silence/",
                view(self.silence_view),
                name="declaration_version_silence",
            ),
            path(
                "<int:pk>/silence/retry/",
                view(self.silence_retry_view),
                name="declaration_version_silence_retry",
            ),
            path(
                "<int:pk>/compilation/render/",
                view(self.compilation_render_view),
                name="declaration_version_compilation_render",
            ),
            path(
                "<int:pk>/compilation/share/",
                view(self.compilation_share_view),
                name="declaration_version_compilation_share",
            ),
            path(
                "<int:pk>/compilation/<str:name>/",
                view(self.compilation_file_view),
                name="declaration_version_compilation_file",
            ),
            path(
                "<int:pk>/adopt/",
                view(self.adopt_view),
                name="declaration_version_adopt",
            ),
            path(
                "<int:pk>/pdf/<str:lang>/",
                view(self.pdf_view),
                name="declaration_version_pdf",
            ),
            *super().get_urls(),
        ]

    def context(self, request, version: Version | None, title, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "version": version,
            "declaration": version.declaration if version else None,
            **extra,
        }

    def get_version(self, request, pk: int, permission: str = "view") -> Version:
        if not request.user.has_perm(f"declaration.{permission}_version"):
            raise PermissionDenied
        return get_object_or_404(
            Version.objects.select_related("declaration__meeting"), pk=pk
        )

    def text_view(self, request, pk: int):
        """The draft editor, with optimistic locking."""
        version = self.get_version(request, pk, "change")
        change_url = reverse("admin:declaration_version_change", args=[pk])
        if version.is_frozen or is_adopted(version.declaration):
            self.message_user(
                request,
                _(
                    "Version %(number)s is %(status)s: its text can no longer "
                    "change. Start a new draft from it."
                )
                % {"number": version.number, "status": version.get_status_display()},
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        conflict = None
        if request.method == "POST":
            form = DraftForm(request.POST, version=version)
            formset = ParagraphFormSet(request.POST, prefix="p")
            if form.is_valid() and formset.is_valid():
                try:
                    save_draft(
                        version,
                        lock_version=form.cleaned_data["lock_version"],
                        paragraphs=formset.paragraph_texts(),
                        by=request.user,
                    )
                except EditConflict as exc:
                    conflict = self.conflict(exc.version, form)
                except VersionFrozen:
                    return self.text_view(request, pk)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    self.message_user(
                        request,
                        _("Version %(number)s saved.") % {"number": version.number},
                    )
                    return HttpResponseRedirect(change_url)
        else:
            texts = snapshot(version)
            form = DraftForm(
                initial={
                    "lock_version": version.lock_version,
                    "base": sign_base(texts),
                },
                version=version,
            )
            formset = ParagraphFormSet(
                initial=[
                    {"kind": t.kind, "text_en": t.text_en, "text_ru": t.text_ru}
                    for t in texts
                ],
                prefix="p",
            )
        title = _("Edit the text of version %(number)s") % {"number": version.number}
        return TemplateResponse(
            request,
            "admin/declaration/version_text.html",
            self.context(
                request,
                version,
                title,
                form=form,
                formset=formset,
                conflict=conflict,
            ),
            status=409 if conflict else (400 if request.method == "POST" else 200),
        )

    def conflict(self, current: Version, form: DraftForm) -> dict:
        """Return what the other drafter changed, and let the next save go through."""
        saved = snapshot(current)
        base = unsign_base(form.cleaned_data.get("base") or "") or []
        record = current.history.order_by("-history_date").first()
        who = record.history_user if record else None
        form.restart_from(current, saved)
        form.add_error(
            None,
            _(
                "%(who)s saved this draft at %(when)s (UTC), after you opened it. "
                "Nothing of yours was saved. Your text is kept below; what they "
                "changed is shown above it. Merge the two and save again."
            )
            % {
                "who": (who.get_username() if who else _("Another drafter")),
                "when": record.history_date.strftime("%H:%M:%S") if record else "?",
            },
        )
        return {
            "diffs": [
                (
                    label,
                    diff_paragraphs(
                        as_paras_from_texts(base, code),
                        as_paras_from_texts(saved, code),
                    ),
                )
                for code, label in (("en", _("English")), ("ru", _("Russian")))
            ],
        }

    def circulate_view(self, request, pk: int):
        version = self.get_version(request, pk)
        if not request.user.has_perm(CIRCULATE):
            raise PermissionDenied
        meeting = version.declaration.meeting
        lags = version_lags(version) if version.is_draft else []
        checks = translation_checks(version)
        form = CirculateForm(
            request.POST or None,
            meeting=meeting,
            lags=lags,
            initial={
                "confirmed": [
                    lag.paragraph.pk
                    for lag in lags
                    if lag.paragraph.pk in checks
                    and checks[lag.paragraph.pk].covers(lag.paragraph, lag.changed)
                ]
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                circulate_version(
                    version,
                    deadline=form.cleaned_data["deadline"],
                    confirmed=form.cleaned_data.get("confirmed") or (),
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_error(form, exc, fields={"translation_lag": "confirmed"})
            else:
                self.message_user(
                    request,
                    _(
                        "Version %(number)s is circulated: the focal points are "
                        "being emailed."
                    )
                    % {"number": version.number},
                )
                return HttpResponseRedirect(
                    reverse("admin:declaration_version_change", args=[pk])
                )
        title = _("Circulate version %(number)s") % {"number": version.number}
        return TemplateResponse(
            request,
            "admin/declaration/version_circulate.html",
            self.context(
                request,
                version,
                title,
                form=form,
                lags=lags,
                recipients=circulation_recipients_preview(meeting),
            ),
            status=400 if request.method == "POST" else 200,
        )

    def extend_deadline_view(self, request, pk: int):
        version = self.get_version(request, pk)
        if not request.user.has_perm(CIRCULATE):
            raise PermissionDenied
        if version.status != Version.Status.CIRCULATED or is_adopted(
            version.declaration
        ):
            raise Http404
        form = ExtendDeadlineForm(request.POST or None, version=version)
        if request.method == "POST" and form.is_valid() and form.save(by=request.user):
            version.refresh_from_db()
            self.message_user(
                request,
                _(
                    "Comments on version %(number)s are now open until "
                    "%(deadline)s: the focal points are being emailed."
                )
                % {"number": version.number, "deadline": self.deadline(version)},
            )
            return HttpResponseRedirect(
                reverse("admin:declaration_version_change", args=[pk])
            )
        title = _("Extend the deadline for comments on version %(number)s") % {
            "number": version.number
        }
        return TemplateResponse(
            request,
            "admin/declaration/version_extend_deadline.html",
            self.context(
                request,
                version,
                title,
                form=form,
                current_deadline=self.deadline(version),
            ),
            status=400 if request.method == "POST" else 200,
        )

    def comments_view(self, request, pk: int):
        version = self.get_version(request, pk)
        shown = comments_page(
            version,
            page=parse_id(request.GET.get("page")),
            paragraph_id=parse_id(request.GET.get("paragraph")),
        )
        title = _("Comments on version %(number)s") % {"number": version.number}
        return TemplateResponse(
            request,
            "admin/declaration/version_comments.html",
            self.context(
                request,
                version,
                title,
                groups=shown.groups,
                comments_page=shown,
                total=shown.total,
                delegations=shown.delegations,
                status=circulation_status(version),
            ),
        )

    def silence_view(self, request, pk: int):
        """Put the circulated version under silence procedure until a moment."""
        version = self.get_version(request, pk)
        if not request.user.has_perm(ADOPT):
            raise PermissionDenied
        if version.status != Version.Status.CIRCULATED or is_adopted(
            version.declaration
        ):
            raise Http404
        form = SilenceForm(request.POST or None, version=version)
        if request.method == "POST" and form.is_valid() and form.save(by=request.user):
            self.message_user(
                request,
                _(
                    "Version %(number)s is under silence procedure: the focal "
                    "points are being emailed."
                )
                % {"number": version.number},
            )
            return HttpResponseRedirect(
                reverse("admin:declaration_version_change", args=[pk])
            )
        title = _("Put version %(number)s under silence procedure") % {
            "number": version.number
        }
        return TemplateResponse(
            request,
            "admin/declaration/version_silence.html",
            self.context(request, version, title, form=form),
            status=400 if request.method == "POST" else 200,
        )

    def silence_retry_view(self, request, pk: int):
        """Queue again the conclusion of a silence whose task gave up (POST)."""
        version = self.get_version(request, pk)
        if not request.user.has_perm(ADOPT):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        silence = get_object_or_404(
            Silence, version=version, status=Silence.Status.RUNNING
        )
        try:
            retry_silence(silence, by=request.user)
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)
        else:
            self.message_user(
                request,
                _("Concluding the silence on version %(number)s is queued again.")
                % {"number": version.number},
            )
        return HttpResponseRedirect(
            reverse("admin:declaration_version_change", args=[pk])
        )

    def compilation_render_view(self, request, pk: int):
        """Queue the compilation of comments to render (again) (POST)."""
        version = self.get_version(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            request_compilation(version, by=request.user)
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)
        else:
            self.message_user(
                request,
                _(
                    "The compilation of comments on version %(number)s is queued: "
                    "a worker renders it (English and Russian PDF, XLSX)."
                )
                % {"number": version.number},
            )
        return HttpResponseRedirect(
            f"{reverse('admin:declaration_version_change', args=[pk])}#compilation"
        )

    def compilation_share_view(self, request, pk: int):
        """Share the rendered compilation with the focal points (POST, drafters)."""
        version = self.get_version(request, pk, "change")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        compilation = get_object_or_404(Compilation, version=version)
        try:
            share_compilation(compilation, by=request.user)
        except ValidationError as exc:
            self.message_user(request, exc.messages[0], messages.ERROR)
        else:
            self.message_user(
                request,
                _(
                    "The compilation of comments on version %(number)s is shared: "
                    "the focal points see it on their page."
                )
                % {"number": version.number},
            )
        return HttpResponseRedirect(
            f"{reverse('admin:declaration_version_change', args=[pk])}#compilation"
        )

    def compilation_file_view(self, request, pk: int, name: str):
        """One file of the compilation (EN PDF, RU PDF, XLSX), for staff."""
        from declaration.compilation import CONTENT_TYPES, download_name, file_path

        if name not in Compilation.FILES:
            raise Http404
        version = self.get_version(request, pk)
        compilation = get_object_or_404(Compilation, version=version)
        path = file_path(compilation, name)
        if path is None:
            raise Http404
        response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[name])
        disposition = "attachment" if name == "xlsx" else "inline"
        response["Content-Disposition"] = (
            f'{disposition}; filename="{download_name(version, name)}"'
        )
        return response

    def adopt_view(self, request, pk: int):
        version = self.get_version(request, pk)
        if not request.user.has_perm(ADOPT):
            raise PermissionDenied
        meeting = version.declaration.meeting
        form = AdoptionForm(
            request.POST or None,
            meeting=meeting,
            initial={"adopted_on": meeting.start_date},
        )
        if request.method == "POST" and form.is_valid():
            try:
                record_adoption(
                    version,
                    adopted_on=form.cleaned_data["adopted_on"],
                    by_acclamation=form.cleaned_data["by_acclamation"],
                    delegations=list(form.cleaned_data["delegations"]),
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    _("The adoption of version %(number)s is recorded.")
                    % {"number": version.number},
                )
                return HttpResponseRedirect(
                    reverse("admin:declaration_version_change", args=[pk])
                )
        title = _("Record the adoption of version %(number)s") % {
            "number": version.number
        }
        return TemplateResponse(
            request,
            "admin/declaration/version_adopt.html",
            self.context(request, version, title, form=form),
            status=400 if request.method == "POST" else 200,
        )

    def diff_view(self, request):
        if not request.user.has_perm("declaration.view_version"):
            raise PermissionDenied
        declaration_id = request.GET.get("declaration")
        declaration_id = parse_id(declaration_id)
        if not declaration_id:
            chosen = Version.objects.filter(pk=parse_id(request.GET.get("new")))
            chosen = chosen.values_list("declaration_id", flat=True).first()
            declaration_id = (
                chosen or Declaration.objects.values_list("pk", flat=True).first()
            )
        declaration = get_object_or_404(Declaration, pk=declaration_id or 0)
        form = DiffForm(request.GET or None, declaration_id=declaration.pk)
        diffs = counts = None
        if form.is_bound and form.is_valid():
            from declaration.diff import summary

            diffs = version_diff(
                form.cleaned_data["old"],
                form.cleaned_data["new"],
                form.cleaned_data["lang"],
                provisional=False,
            )
            counts = summary(diffs)
            lags = lag_labels(
                translation_lags(
                    version_paragraphs(form.cleaned_data["old"]),
                    version_paragraphs(form.cleaned_data["new"]),
                )
            )
            for entry in diffs:
                if entry.new is not None:
                    entry.lag = lags.get(entry.new.label, "")
            if form.cleaned_data["new"].is_draft:
                # Cited as the drafters do until circulation: new PP / new OP.
                provisional_labels(diffs)
        return TemplateResponse(
            request,
            "admin/declaration/version_diff.html",
            self.context(
                request,
                None,
                _("Compare versions"),
                declaration=declaration,
                versions=versions_with_counts(declaration.pk),
                form=form,
                diffs=diffs,
                counts=counts,
            ),
        )

    def pdf_view(self, request, pk: int, lang: str):
        if lang not in ("en", "ru"):
            raise Http404
        version = self.get_version(request, pk)
        response = HttpResponse(
            render_version_pdf(version, lang), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'inline; filename="{pdf_filename(version, lang)}"'
        )
        return response


class ParagraphDiffView:
    """Word-diff segments shown as HTML (the diff's own escaping)."""

    def __init__(self, segments):
        from declaration.diff import ParagraphDiff

        self.entry = ParagraphDiff("changed", None, None, segments)

    def html(self):
        return self.entry.html()


@admin.register(Comment)
class CommentAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "submitted",
        "delegation",
        "version",
        "paragraph_ref",
        "kind",
        "language",
        "excerpt",
        "outcome",
    )
    list_filter = (
        "version__declaration",
        "version",
        "delegation",
        "kind",
        "language",
        "outcome",
    )
    list_select_related = (
        "delegation",
        "version__declaration__meeting",
        "paragraph",
    )
    search_fields = ("text",)
    readonly_fields = (
        "version",
        "paragraph",
        "delegation",
        "number",
        "kind",
        "new_kind",
        "target",
        "language",
        "text",
        "submitted_by",
        "created_at",
        "edited_at",
        "withdrawn_at",
        "outcome",
        "taken_into",
        "taken_paragraph",
        "superseded_by",
        "reply",
        "decided_at",
        "decided_by",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return with_paragraph_ordinal(super().get_queryset(request))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/decide/",
                view(self.decide_view),
                name="declaration_comment_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk: int):
        """The drafters' one action on a comment: take its wording into the
        draft being prepared, or say what became of it."""
        if not request.user.has_perm("declaration.change_version"):
            raise PermissionDenied
        comment = get_object_or_404(
            Comment.objects.select_related(
                "version__declaration__meeting", "delegation", "paragraph"
            ),
            pk=pk,
        )
        version = comment.version
        if version.is_draft:
            raise Http404
        back = (
            f"{version_url('comments', version.pk)}"
            f"?paragraph={comment.paragraph_id}#comment-{comment.pk}"
        )
        if request.method == "POST" and request.POST.get("start_draft"):
            try:
                start_draft(version.declaration, by=request.user)
            except ValidationError as exc:
                self.message_user(request, exc.messages[0], messages.ERROR)
            return HttpResponseRedirect(request.path)
        draft = draft_of(version.declaration_id)
        paragraphs = version_paragraphs(version)
        label = next(p.label for p in paragraphs if p.pk == comment.paragraph_id)
        draft_paragraphs = version_paragraphs(draft) if draft else []
        continued = counterparts(paragraphs, draft_paragraphs)
        current = continued.get(comment.paragraph_id)
        comment.summary = amendment_summary(
            comment, {p.pk: p.label for p in paragraphs}
        )
        form = DecideCommentForm(
            request.POST or None,
            comment=comment,
            draft=draft,
            draft_paragraphs=draft_paragraphs,
            current=current,
            current_target=continued.get(comment.target_id),
        )
        if request.method == "POST" and form.is_valid() and form.save(by=request.user):
            comment.refresh_from_db()
            self.message_user(
                request,
                _("%(delegation)s's comment on %(label)s: %(outcome)s.")
                % {
                    "delegation": comment.delegation.localised_name,
                    "label": label,
                    "outcome": comment.get_outcome_display(),
                },
            )
            return HttpResponseRedirect(back)
        proposal_diff = None
        if current is not None and comment.kind == Comment.Kind.PROPOSAL:
            from declaration.diff import diff_words

            proposal_diff = ParagraphDiffView(
                diff_words(getattr(current, f"text_{comment.language}"), comment.text)
            )
        title = _("Decide on %(delegation)s's comment on %(label)s") % {
            "delegation": comment.delegation.localised_name,
            "label": label,
        }
        return TemplateResponse(
            request,
            "admin/declaration/comment_decide.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "comment": comment,
                "version": version,
                "label": label,
                "draft": draft,
                "current": current,
                "proposal_diff": proposal_diff,
                "form": form,
                "back_url": back,
            },
            status=400 if request.method == "POST" else 200,
        )

    @admin.display(description=_("submitted"), ordering="created_at")
    def submitted(self, obj):
        # On the meeting's clock, saying so (the admin's own column did not).
        return format_datetime(obj.created_at, obj.version.declaration.meeting)

    @admin.display(description=_("paragraph"))
    def paragraph_ref(self, obj):
        # PP2 / OP3, as the comment form, the panel and the diff name it.
        return paragraph_label(obj.paragraph.kind, obj.paragraph_ordinal)

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return obj.text[:100]


@admin.register(Adoption)
class AdoptionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("declaration", "version", "adopted_on", "by_acclamation")
    readonly_fields = (
        "declaration",
        "version",
        "adopted_on",
        "by_acclamation",
        "delegations",
        "recorded_by",
        "recorded_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
