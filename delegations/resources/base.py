"""What the delegates and flights resources share: rows scoped to a meeting,
lookups cached per import, header checks, one transaction per file, refusals as
RowProblems."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import resources
from import_export.results import Result, RowResult

from delegations.models import Delegate, Delegation
from delegations.resources.cells import (
    HEADER_ROW,
    FileProblem,
    ResourceBoundWidget,
    RowProblem,
    text,
)
from dialogue.models import Meeting


class MeetingScopedResource(resources.ModelResource):
    """Rows belong to the meeting in their "meeting" column, or to the meeting
    the importer chose. Shared: header checks, lookups cached per import, row
    numbers, refusal of the whole file when one row fails, and RowProblems."""

    required_columns: tuple = ()
    # column -> its human header, translated; exports write it, imports read it
    # in either language, and the machine name too (files of earlier exports).
    column_labels: dict = {}
    field_columns: dict = {}  # model field -> the column that sets it
    constraint_columns: dict = {}  # constraint name -> column (and message)

    def __init__(
        self,
        meeting: Meeting | None = None,
        *,
        progress=None,
        sample_rows: int = 0,
        abort_on: tuple = (),
        **kwargs,
    ):
        """progress(done) is called after each row; the first sample_rows rows to
        be imported are kept (row number, new or update, the file's cells) for the
        preview; errors of the abort_on types stop the file instead of refusing a
        row (a lost database connection, a time limit: the caller retries)."""
        super().__init__(**kwargs)
        self.meeting = meeting
        self.progress = progress
        self.sample_rows = sample_rows
        self.sample: list[dict] = []
        self.abort_on = abort_on
        self.rows_done = 0
        self.headers: list[str] = []
        self.row_meeting_value = meeting
        self.spreadsheet_row = None
        self.file_headers: dict[str, str] = {}  # column -> as the file spelled it
        self._meetings: dict = {}
        self._delegations: dict = {}
        self._delegates: dict = {}
        self._seen: dict = {}
        for field in self.fields.values():
            if isinstance(field.widget, ResourceBoundWidget):
                field.widget.bind(self)

    # Lookups, one query per meeting per import.

    def row_meeting(self, row) -> Meeting:
        slug = text(row.get("meeting"))
        if not slug:
            if self.meeting is None:
                raise ValidationError(
                    {
                        "meeting": _(
                            "Say which meeting: fill the meeting column or choose "
                            "the meeting on the import page."
                        )
                    }
                )
            meeting = self.meeting
        else:
            if slug not in self._meetings:
                self._meetings[slug] = Meeting.objects.filter(slug=slug).first()
            meeting = self._meetings[slug]
            if meeting is None:
                raise ValidationError(
                    {"meeting": _("%(slug)s is not a meeting.") % {"slug": slug}}
                )
        self.row_meeting_value = meeting
        return meeting

    def delegations(self, meeting: Meeting) -> dict:
        if meeting.pk not in self._delegations:
            found = {}
            for delegation in Delegation.objects.filter(meeting=meeting).select_related(
                "meeting"
            ):
                for key in (delegation.country_code, delegation.name_en):
                    if key:
                        found[key.casefold()] = delegation
            self._delegations[meeting.pk] = found
        return self._delegations[meeting.pk]

    def delegates(self, meeting: Meeting) -> dict:
        if meeting.pk not in self._delegates:
            self._delegates[meeting.pk] = {
                d.email.casefold(): d
                for d in Delegate.objects.filter(meeting=meeting)
                .exclude(email="")
                .select_related("delegation", "meeting")
            }
        return self._delegates[meeting.pk]

    def once_in_file(self, key, column: str, message: str) -> None:
        """Refuse a row that repeats an earlier row of the same file."""
        earlier = self._seen.setdefault(key, self.spreadsheet_row)
        if earlier != self.spreadsheet_row:
            raise ValidationError({column: message % {"row": earlier}})

    # The import.

    def get_export_headers(self, selected_fields=None):
        return [
            str(self.column_labels.get(column, column))
            for column in super().get_export_headers(selected_fields)
        ]

    def header_aliases(self) -> dict[str, str]:
        """Return every accepted spelling of a header, casefolded, with its
        column: the machine name, and the human header in English and Russian."""
        aliases = {}
        for field in self.fields.values():
            column = field.column_name
            aliases[column.casefold()] = column
            label = self.column_labels.get(column)
            if label is not None:
                for lang in ("en", "ru"):
                    with translation.override(lang):
                        aliases[str(label).casefold()] = column
        return aliases

    def machine_headers(self, headers: list[str]) -> list[str]:
        """Return the file's headers as column names (unknown ones unchanged),
        remembering how the file spelled each, for its refusals."""
        aliases = self.header_aliases()
        columns = [aliases.get(h.casefold(), h) for h in headers]
        self.file_headers = dict(zip(columns, headers, strict=True))
        return columns

    def header_problems(self, headers) -> list[RowProblem]:
        headers = [text(h) for h in headers or []]
        known = {field.column_name for field in self.fields.values()}
        problems = [
            RowProblem(
                HEADER_ROW,
                header,
                _("this is not a column of the import; the columns are %(cols)s.")
                % {"cols": ", ".join(self.get_export_headers())},
            )
            for header in headers
            if header not in known
        ]
        problems += [
            RowProblem(
                HEADER_ROW,
                str(self.column_labels.get(column, column)),
                _("the file has no such column."),
            )
            for column in self.required_columns
            if column not in headers
        ]
        return problems

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # Header cells are cleaned like any other (an exported header may carry
        # the formula apostrophe; spaces around a name are typos).
        self.headers = [text(h) for h in dataset.headers or []]
        dataset.headers = self.machine_headers(self.headers)
        problems = self.header_problems(dataset.headers)
        if problems:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            for problem in problems:
                result.append_base_error(
                    self.get_error_result_class()(FileProblem(problem))
                )
        else:
            # One transaction for the whole file, rolled back on any refusal,
            # whatever the caller asked for.
            result = super().import_data(
                dataset,
                dry_run=dry_run,
                raise_errors=raise_errors,
                use_transactions=True,
                collect_failed_rows=collect_failed_rows,
                rollback_on_validation_errors=True,
                **kwargs,
            )
        result.problems = self.problems(result)
        return result

    def before_import_row(self, row, **kwargs):
        self.spreadsheet_row = kwargs.get("row_number", 0) + HEADER_ROW
        self.row_meeting_value = self.meeting

    def import_row(self, row, instance_loader, **kwargs):
        if all(text(value) == "" for value in row.values()):
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        else:
            row_result = super().import_row(row, instance_loader, **kwargs)
        for error in row_result.errors:
            if isinstance(error.error, self.abort_on):
                raise error.error
        if len(self.sample) < self.sample_rows and row_result.import_type in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
        ):
            self.sample.append(
                {
                    "row": kwargs.get("row_number", 0) + HEADER_ROW,
                    "type": row_result.import_type,
                    "cells": [text(value) for value in row.values()],
                }
            )
        self.rows_done += 1
        if self.progress is not None:
            self.progress(self.rows_done)
        return row_result

    def before_save_instance(self, instance, row, **kwargs):
        # The history names who imported the row; a worker has no request.
        if kwargs.get("user") is not None:
            instance._history_user = kwargs["user"]

    def column_of(self, key: str, message: str) -> str:
        if key != NON_FIELD_ERRORS:
            if key in self.fields:
                return self.fields[key].column_name
            return self.field_columns.get(key, key)
        for constraint in self._meta.model._meta.constraints:
            if str(constraint.get_violation_error_message()) == message:
                return self.constraint_columns.get(constraint.name, "")
        return ""

    def by_column(self, exc: ValidationError) -> ValidationError:
        """Return the error keyed by the columns of the file."""
        if not hasattr(exc, "error_dict"):
            return ValidationError({NON_FIELD_ERRORS: exc.messages})
        keyed: dict = {}
        for key, errors in exc.message_dict.items():
            for message in errors:
                column = self.column_of(key, message) or NON_FIELD_ERRORS
                keyed.setdefault(column, []).append(message)
        return ValidationError(keyed)

    def problems(self, result: Result) -> list[RowProblem]:
        """Return every refusal of an import result, in row order."""
        found = []
        for error in result.base_errors:
            if isinstance(error.error, FileProblem):
                found.append(error.error.problem)
            else:
                found.append(RowProblem(None, "", str(error.error)))
        for invalid in result.invalid_rows:
            for key, messages in invalid.error_dict.items():
                for message in messages:
                    column = "" if key == NON_FIELD_ERRORS else key
                    if column in self.fields:
                        column = self.fields[column].column_name
                    column = self.file_headers.get(column, column)
                    found.append(
                        RowProblem(invalid.number + HEADER_ROW, column, message)
                    )
        for error_row in result.error_rows:
            for error in error_row.errors:
                found.append(
                    RowProblem(
                        error_row.number + HEADER_ROW,
                        "",
                        _("the database refused the row: %(error)s")
                        % {"error": error.error},
                    )
                )
        return sorted(found, key=lambda p: p.row or 0)

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            raise self.by_column(exc) from None
