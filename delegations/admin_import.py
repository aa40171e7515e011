"""Import and export in the delegations admin.

Import: upload, then the job page: a worker checks the file (a dry run through
the services) while the page shows its progress, then the preview and the
Confirm button; after confirmation the worker imports and the page shows the
progress again, then the result. No request reads or imports the file itself
(delegations.imports). It needs the delegations.import_delegates permission as
well as add and change on the model; export needs view. Files wait between
preview and confirm in delegations.spreadsheets.PrivateImportStorage.
"""

import tablib
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm

from delegations.imports import (
    confirm_import,
    is_stalled,
    job_problems,
    job_progress,
    recent_jobs,
    retry_import,
    start_import_preview,
)
from delegations.models import ImportJob
from delegations.resources import RESOURCES
from delegations.spreadsheets import (
    FORMATS,
    IMPORT_MAX_BYTES,
    format_for,
)
from dialogue.ids import parse_id
from dialogue.models import Meeting

IMPORT_PERMISSION = "delegations.import_delegates"
# The model admin each kind of import job belongs to.
KIND_MODELS = {"delegates": "delegate", "flights": "flightleg"}
# Where each kind's rows name their meeting, for the export's file name.
EXPORT_MEETING_PATHS = {
    "delegates": "meeting__slug",
    "flights": "delegate__meeting__slug",
}
PAGE_PROBLEMS = 1000  # refusals listed on the page; the CSV has them all


class MeetingImportForm(ImportForm):
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.all(),
        label=gettext_lazy("Meeting"),
        help_text=gettext_lazy(
            "Rows with an empty “Meeting” column belong to this meeting."
        ),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding of a CSV file"),
        choices=[
            ("detect", gettext_lazy("Detect (UTF-8 or Windows-1251)")),
            ("utf-8-sig", gettext_lazy("UTF-8 (Excel: “CSV UTF-8”)")),
            ("cp1251", gettext_lazy("Windows-1251 (Russian Excel: “CSV”)")),
        ],
        initial="detect",
        required=False,
        help_text=gettext_lazy("XLSX files need no encoding."),
    )
    field_order = ["resource", "meeting", "import_file", "format", "encoding"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].initial = Meeting.objects.values_list(
            "pk", flat=True
        ).first()

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


def may_import(user, kind: str) -> bool:
    """Return True if the user may import (and confirm) this kind of job."""
    model = KIND_MODELS[kind]
    return (
        user.has_perm(IMPORT_PERMISSION)
        and user.has_perm(f"delegations.add_{model}")
        and user.has_perm(f"delegations.change_{model}")
    )


def job_url(job: ImportJob, view: str = "") -> str:
    """Return the URL of the job's page (or of its status, confirm ... view)."""
    name = f"admin:delegations_{KIND_MODELS[job.kind]}_import_job"
    return reverse(f"{name}_{view}" if view else name, args=[job.pk])


def progress_text(job: ImportJob, done: int, total: int) -> str:
    """Return what the job is doing, as the page and its status both say it."""
    if is_stalled(job):
        return _("The worker stopped without finishing; retry the import.")
    if job.status == ImportJob.Status.QUEUED:
        if job.error:
            return _("Waiting for a worker to try again.")
        return _("Waiting for a worker to start.")
    if not job.is_active:
        return job.get_status_display()
    if not total:
        return _("Reading the file.")
    values = {"done": done, "total": total, "percent": done * 100 // total}
    if job.status == ImportJob.Status.RUNNING:
        return _("Checking row %(done)s of %(total)s (%(percent)s%%).") % values
    if job.status == ImportJob.Status.IMPORTING:
        return _("Importing row %(done)s of %(total)s (%(percent)s%%).") % values
    return job.get_status_display()


class DelegationsImportExportMixin(ImportExportMixin):
    """Import-export for delegations' models: our formats, forms, permissions,
    and imports run as jobs by a worker."""

    import_form_class = MeetingImportForm
    import_template_name = "admin/delegations/import.html"
    job_template_name = "admin/delegations/import_job.html"
    # Excel reads a CSV as UTF-8 (Cyrillic names) only with a byte-order mark.
    to_encoding = "utf-8-sig"

    @property
    def formats(self):
        return FORMATS

    @property
    def import_formats(self):
        return FORMATS

    @property
    def export_formats(self):
        return FORMATS

    @property
    def import_kind(self) -> str:
        return {model: kind for kind, model in KIND_MODELS.items()}[
            self.model._meta.model_name
        ]

    def has_import_permission(self, request):
        return may_import(request.user, self.import_kind)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        return {"meeting": cleaned.get("meeting")}

    def import_url(self) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_import")

    def get_urls(self):
        info = (self.model._meta.app_label, self.model._meta.model_name)
        name = "{}_{}_import_job".format(*info)
        view = self.admin_site.admin_view
        jobs = [
            path("import/<int:job_id>/", view(self.job_view), name=name),
            path(
                "import/<int:job_id>/status/",
                view(self.job_status_view),
                name=f"{name}_status",
            ),
            path(
                "import/<int:job_id>/confirm/",
                view(self.job_confirm_view),
                name=f"{name}_confirm",
            ),
            path(
                "import/<int:job_id>/retry/",
                view(self.job_retry_view),
                name=f"{name}_retry",
            ),
            path(
                "import/<int:job_id>/refused.csv",
                view(self.job_problems_view),
                name=f"{name}_problems",
            ),
        ]
        # The library's process_import would import the file inside the request.
        process_import = "{}_{}_process_import".format(*info)
        urls = [url for url in super().get_urls() if url.name != process_import]
        return jobs + urls

    # Upload --------------------------------------------------------------

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request) if request.method == "POST" else None
        if form is None or not form.is_valid():
            response = super().import_action(request, **kwargs)
            response.context_data["recent_jobs"] = recent_jobs(
                request.user, kind=self.import_kind, everyone=True
            )
            # The columns as an export names them (the machine names work too).
            labels = RESOURCES[self.import_kind].column_labels
            response.context_data["fields_list"] = [
                (name, [str(labels.get(column, column)) for column in columns])
                for name, columns in response.context_data.get("fields_list", [])
            ]
            return response
        upload = form.cleaned_data["import_file"]
        fmt = self.get_import_formats()[int(form.cleaned_data["format"])]()
        job = start_import_preview(
            upload,
            user=request.user,
            meeting=form.cleaned_data["meeting"],
            kind=self.import_kind,
            file_format=fmt.get_extension(),
            original_name=upload.name,
            language=request.LANGUAGE_CODE,
            encoding=form.cleaned_data.get("encoding") or "detect",
        )
        return HttpResponseRedirect(job_url(job))

    # The job -------------------------------------------------------------

    def get_job(self, request, job_id) -> ImportJob:
        """Return the job if the user may see it: their own, or any of this
        kind with the import permission (403 otherwise, 404 if there is none)."""
        pk = parse_id(job_id)
        job = (
            ImportJob.objects.filter(pk=pk, kind=self.import_kind)
            .select_related("meeting", "user", "confirmed_by")
            .first()
            if pk
            else None
        )
        if self.has_import_permission(request):
            if job is None:
                raise Http404
            return job
        if job is None or job.user_id != request.user.pk:
            raise PermissionDenied
        return job

    def job_view(self, request, job_id):
        job = self.get_job(request, job_id)
        done, total = job_progress(job)
        stalled = is_stalled(job)
        may_import = self.has_import_permission(request)
        problems = job_problems(job, limit=PAGE_PROBLEMS)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import of %(file)s") % {"file": job.original_name},
            "opts": self.model._meta,
            "job": job,
            "import_url": self.import_url(),
            "changelist_url": reverse(
                f"admin:delegations_{KIND_MODELS[job.kind]}_changelist"
            ),
            "status_url": job_url(job, "status"),
            "confirm_url": job_url(job, "confirm"),
            "retry_url": job_url(job, "retry"),
            "problems_url": job_url(job, "problems"),
            "running": job.is_active and not stalled,
            "stalled": stalled,
            "done": done,
            "total": total,
            "progress_text": progress_text(job, done, total),
            "problems": problems,
            "more_problems": job.problem_count - len(problems),
            "may_confirm": may_import and job.may_confirm,
            "may_retry": may_import and (job.status == "failed" or stalled),
            "preview_headers": job.preview.get("headers", []),
            "preview_rows": job.preview.get("rows", []),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.job_template_name], context)

    def job_status_view(self, request, job_id):
        job = self.get_job(request, job_id)
        done, total = job_progress(job)
        # The admin marks every view never_cache (no-store): polls are fresh.
        return JsonResponse(
            {
                "status": job.status,
                "phase": job.phase,
                "active": job.is_active and not is_stalled(job),
                "done": done,
                "total": total,
                "message": progress_text(job, done, total),
            }
        )

    def job_action(self, request, job_id, service) -> HttpResponseRedirect:
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = self.get_job(request, job_id)
        try:
            service(job)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(job_url(job))

    @method_decorator(require_POST)
    def job_confirm_view(self, request, job_id):
        return self.job_action(
            request, job_id, lambda job: confirm_import(job, user=request.user)
        )

    @method_decorator(require_POST)
    def job_retry_view(self, request, job_id):
        return self.job_action(request, job_id, retry_import)

    def job_problems_view(self, request, job_id):
        job = self.get_job(request, job_id)
        dataset = tablib.Dataset(headers=[_("Row"), _("Column"), _("Problem")])
        for problem in job_problems(job):
            dataset.append([problem.row or "", problem.column, problem.message])
        content = format_for("csv").export_data(dataset).encode("utf-8-sig")
        response = HttpResponse(content, content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="import-{job.pk}-refused.csv"'
        )
        return response

    def get_export_filename(self, request, queryset, file_format):
        """Return e.g. ashgabat-2017-delegates-2026-12-02.xlsx: the meeting (or
        all-meetings), what the file holds, and the day it was exported."""
        path = EXPORT_MEETING_PATHS[self.import_kind]
        slugs = list(queryset.order_by().values_list(path, flat=True).distinct()[:2])
        meeting = slugs[0] if len(slugs) == 1 else "all-meetings"
        day = timezone.localdate().isoformat()
        return f"{meeting}-{self.import_kind}-{day}.{file_format.get_extension()}"

    def get_export_queryset(self, request):
        queryset = super().get_export_queryset(request)
        related = getattr(self, "export_select_related", ())
        return queryset.select_related(*related) if related else queryset


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Every import, its status and who ran it; failed ones can be retried."""

    list_display = (
        "created_at",
        "kind",
        "file",
        "meeting",
        "user",
        "status",
        "rows",
        "problem_count",
    )
    list_filter = ("status", "kind", "meeting")
    list_select_related = ("meeting", "user")
    search_fields = ("original_name", "user__username")
    actions = ["retry"]
    fields = (
        "page",
        "kind",
        "meeting",
        "original_name",
        "file_format",
        "user",
        "created_at",
        "phase",
        "status",
        "rows_done",
        "rows_total",
        "rows_new",
        "rows_updated",
        "rows_skipped",
        "problem_count",
        "error",
        "confirmed_by",
        "confirmed_at",
        "started_at",
        "finished_at",
        "worker",
        "attempts",
    )
    readonly_fields = ("page",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("problems", "preview")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(IMPORT_PERMISSION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm(IMPORT_PERMISSION)

    @admin.display(description=gettext_lazy("file"), ordering="original_name")
    def file(self, obj):
        return format_html('<a href="{}">{}</a>', job_url(obj), obj.original_name)

    @admin.display(description=gettext_lazy("import page"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', job_url(obj), _("Open"))

    @admin.display(description=gettext_lazy("rows done"))
    def rows(self, obj):
        done, total = job_progress(obj)
        return f"{done} / {total}"

    @admin.action(
        description=gettext_lazy("Retry the selected failed imports"),
        permissions=["retry"],
    )
    def retry(self, request, queryset):
        retried = 0
        for job in queryset:
            if not may_import(request.user, job.kind):
                continue
            try:
                retry_import(job)
            except ValidationError:
                continue
            retried += 1
        self.message_user(request, _("Imports queued again: %(n)s.") % {"n": retried})
