"""Import and export in the delegations admin, and the budget export for donors.

Import: upload, preview (a dry run through the services), confirm. It needs the
delegations.import_delegates permission as well as add and change on the model;
export needs view. Files wait between preview and confirm in
delegations.spreadsheets.PrivateImportStorage (IMPORT_EXPORT_TMP_STORAGE_CLASS).
"""

import re

import tablib
from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from delegations.selectors import budget
from delegations.spreadsheets import (
    FORMATS,
    IMPORT_MAX_BYTES,
    UnreadableFile,
    format_for,
)
from dialogue.models import Meeting

IMPORT_PERMISSION = "delegations.import_delegates"
TMP_NAME = re.compile(r"^[0-9a-f]{32}$")


class MeetingImportForm(ImportForm):
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.all(),
        label=gettext_lazy("Meeting"),
        help_text=gettext_lazy(
            "Rows with an empty meeting column belong to this meeting."
        ),
    )
    field_order = ["resource", "meeting", "import_file", "format"]

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


class MeetingConfirmImportForm(ConfirmImportForm):
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.all(), widget=forms.HiddenInput
    )

    def clean_import_file_name(self):
        name = super().clean_import_file_name()
        if not TMP_NAME.match(name):
            raise forms.ValidationError(_("The import file is no longer available."))
        return name


class DelegationsImportExportMixin(ImportExportMixin):
    """Import-export for delegations' models: our formats, forms and permissions."""

    import_form_class = MeetingImportForm
    confirm_form_class = MeetingConfirmImportForm
    import_template_name = "admin/delegations/import.html"
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

    def has_import_permission(self, request):
        return (
            request.user.has_perm(IMPORT_PERMISSION)
            and self.has_add_permission(request)
            and self.has_change_permission(request)
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        return {"meeting": cleaned.get("meeting")}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["meeting"] = import_form.cleaned_data["meeting"].pk
        return initial

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        elif isinstance(e, UnicodeDecodeError):
            form.add_error("import_file", _("The CSV file is not UTF-8 text."))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_url(self) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_import")

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except UnreadableFile as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self.import_url())

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        # The data changed between preview and confirm: nothing was written.
        messages.error(
            request, _("Nothing was imported: some rows are refused (see below).")
        )
        form_class = self.get_import_form_class(request)
        context = {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form_class(
                self.get_import_formats(), self.get_import_resource_classes(request)
            ),
            "opts": self.model._meta,
            "result": result,
            "import_error_display": self.import_error_display,
        }
        return TemplateResponse(request, [self.import_template_name], context)

    def get_export_queryset(self, request):
        queryset = super().get_export_queryset(request)
        related = getattr(self, "export_select_related", ())
        return queryset.select_related(*related) if related else queryset


# Budget for donor reporting ---------------------------------------------------

BUDGET_EXPORTS = ("csv", "xlsx")


def budget_dataset(meeting: Meeting | None) -> tablib.Dataset:
    """Return the budget lines and the totals per currency as one table."""
    lines, totals = budget(meeting) if meeting else ([], [])
    dataset = tablib.Dataset(
        headers=[
            _("Meeting"),
            _("Delegation"),
            _("Currency"),
            _("Legs"),
            _("Estimated"),
            _("Committed"),
            _("Total"),
        ],
        title=_("Budget")[:31],
    )
    slug = meeting.slug if meeting else ""
    for line in [*lines, *totals]:
        dataset.append(
            [
                slug,
                str(line.delegation),
                line.currency,
                line.legs,
                line.estimated,
                line.committed,
                line.total,
            ]
        )
    return dataset


def budget_export(meeting: Meeting | None, extension: str) -> HttpResponse:
    """Return the budget as a CSV or XLSX download, formula-safe."""
    fmt = format_for(extension)
    dataset = budget_dataset(meeting)
    if fmt.is_binary():
        content = fmt.export_data(dataset)
    else:
        # Numbers as text in CSV; the BOM lets Excel read the file as UTF-8.
        content = fmt.export_data(dataset).encode("utf-8-sig")
    response = HttpResponse(content, content_type=fmt.get_content_type())
    slug = meeting.slug if meeting else "none"
    response["Content-Disposition"] = (
        f'attachment; filename="budget-{slug}.{fmt.get_extension()}"'
    )
    return response


def budget_export_links(meeting: Meeting | None) -> list[dict]:
    query = f"?meeting={meeting.pk}" if meeting else ""
    return [
        {
            "url": reverse(f"admin:delegations_budget_{extension}") + query,
            "label": extension.upper(),
        }
        for extension in BUDGET_EXPORTS
    ]
