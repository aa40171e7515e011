"""Import and export of delegates and flight legs (django-import-export).

Rows are written by the services (save_delegate checks the funded quota under a
row lock, the database trigger backs it; save_flight_leg validates the leg), all
inside one transaction: if any row is refused, nothing is written, in the admin
preview, on confirmation and through import_file() alike.

Every refusal is a RowProblem naming the row as a spreadsheet numbers it (the
header is row 1), the column and the rule, e.g. "Row 5, column funded: Kazakhstan
already has 3 funded delegate(s), ...".
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult

from delegations.admin_forms import FlightLegForm
from delegations.models import Delegate, Delegation, FlightLeg, Language
from delegations.services import (
    FundedQuotaExceeded,
    save_delegate,
    save_flight_leg,
)
from delegations.spreadsheets import read_dataset, unneutralise
from delegations.validators import (
    airports,
    normalise_phone,
    validate_currency,
    validate_iata,
)
from dialogue.models import Meeting

HEADER_ROW = 1  # data row n of the dataset is spreadsheet row n + 1
LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S")
TRUE_WORDS = {"1", "true", "yes", "y", "x", "да"}
FALSE_WORDS = {"", "0", "false", "no", "n", "нет"}


@dataclass(frozen=True)
class RowProblem:
    """Why a row (or the whole file, row None) was refused."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {
            "row": self.row,
            "message": self.message,
        }


class FileProblem(Exception):
    """A problem with the file as a whole (its header), kept as a base error."""

    def __init__(self, problem: RowProblem):
        super().__init__(str(problem))
        self.problem = problem


def text(value) -> str:
    """Return a cell as stripped text (XLSX gives numbers; exports add "'")."""
    value = unneutralise(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_local(value) -> datetime.datetime:
    """Return a naive local date-time from "2017-06-12 09:10" or an XLSX date."""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0)
    raw = text(value)
    for fmt in LOCAL_FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise ValueError(
        _("%(value)s is not a local date and time such as 2017-06-12 09:10.")
        % {"value": raw or _("(empty)")}
    )


def _validation_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Widgets: one cell to one value, ValueError with the rule when refused -------


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(TextWidget):
    """Accept a choice's code or its English or Russian label."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        raw = text(value)
        if not raw:
            return None
        wanted = raw.casefold()
        for code, label in self.choices.choices:
            names = {code.casefold()}
            for lang in ("en", "ru"):
                with translation.override(lang):
                    names.add(str(label).casefold())
            if wanted in names:
                return code
        raise ValueError(
            _("%(value)s is not one of: %(choices)s.")
            % {"value": raw, "choices": ", ".join(self.choices.values)}
        )


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        raw = text(value).casefold()
        if raw in TRUE_WORDS:
            return True
        if raw in FALSE_WORDS:
            return False
        raise ValueError(_("%(value)s is neither yes nor no.") % {"value": text(value)})

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class PhoneWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return normalise_phone(text(value))
        except ValidationError as exc:
            raise ValueError(_validation_text(exc)) from None


class CodeWidget(TextWidget):
    """An upper-case code checked by a validator (IATA airport, currency)."""

    def __init__(self, validator, **kwargs):
        super().__init__(**kwargs)
        self.validator = validator

    def clean(self, value, row=None, **kwargs):
        raw = text(value).upper()
        if not raw:
            return None
        try:
            self.validator(raw)
        except ValidationError as exc:
            raise ValueError(_validation_text(exc)) from None
        return raw


class FareWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        from decimal import Decimal, InvalidOperation

        raw = text(value)
        if not raw:
            return None
        try:
            amount = Decimal(raw.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise ValueError(
                _("%(value)s is not an amount such as 412.50.") % {"value": raw}
            ) from None
        if not amount.is_finite():
            raise ValueError(
                _("%(value)s is not an amount such as 412.50.") % {"value": raw}
            )
        return amount

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


class LocalTimeWidget(widgets.Widget):
    """Export only: the leg's local time; import converts in the resource."""

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%Y-%m-%d %H:%M") if value else ""


class ResourceBoundWidget(widgets.Widget):
    """A widget that resolves names in the meeting of the row being imported."""

    resource = None

    def bind(self, resource) -> None:
        self.resource = resource


class DelegationWidget(ResourceBoundWidget):
    def clean(self, value, row=None, **kwargs):
        raw = text(value)
        meeting = self.resource.row_meeting_value
        if not raw:
            raise ValueError(
                _("Name the delegation: its English name or ISO country code.")
            )
        delegation = self.resource.delegations(meeting).get(raw.casefold())
        if delegation is None:
            raise ValueError(
                _(
                    "%(value)s is not a delegation of %(meeting)s; give its English "
                    "name or ISO country code."
                )
                % {"value": raw, "meeting": meeting.slug}
            )
        return delegation

    def render(self, value, obj=None, **kwargs):
        return value.name_en if value else ""


class DelegateEmailWidget(ResourceBoundWidget):
    def clean(self, value, row=None, **kwargs):
        raw = text(value)
        meeting = self.resource.row_meeting_value
        if not raw:
            raise ValueError(_("Give the email of the delegate who flies."))
        delegate = self.resource.delegates(meeting).get(raw.casefold())
        if delegate is None:
            raise ValueError(
                _("No delegate of %(meeting)s has the email %(email)s.")
                % {"meeting": meeting.slug, "email": raw}
            )
        return delegate

    def render(self, value, obj=None, **kwargs):
        return value.email if value else ""


# Resources -----------------------------------------------------------------


class MeetingScopedResource(resources.ModelResource):
    """Rows belong to the meeting in their "meeting" column, or to the meeting
    the importer chose. Shared: header checks, lookups cached per import, row
    numbers, refusal of the whole file when one row fails, and RowProblems."""

    required_columns: tuple = ()
    field_columns: dict = {}  # model field -> the column that sets it
    constraint_columns: dict = {}  # constraint name -> column (and message)

    def __init__(self, meeting: Meeting | None = None, **kwargs):
        super().__init__(**kwargs)
        self.meeting = meeting
        self.row_meeting_value = meeting
        self.spreadsheet_row = None
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
            for delegation in Delegation.objects.filter(meeting=meeting):
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
                .select_related("delegation")
            }
        return self._delegates[meeting.pk]

    def once_in_file(self, key, column: str, message: str) -> None:
        """Refuse a row that repeats an earlier row of the same file."""
        earlier = self._seen.setdefault(key, self.spreadsheet_row)
        if earlier != self.spreadsheet_row:
            raise ValidationError({column: message % {"row": earlier}})

    # The import.

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
            RowProblem(HEADER_ROW, column, _("the file has no such column."))
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
        dataset.headers = [text(h) for h in dataset.headers or []]
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
            skipped = self.get_row_result_class()()
            skipped.import_type = RowResult.IMPORT_TYPE_SKIP
            return skipped
        return super().import_row(row, instance_loader, **kwargs)

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


class DelegateResource(MeetingScopedResource):
    """Delegates; an existing one is found by id, else by email in the meeting."""

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    meeting = fields.Field(
        attribute="meeting__slug", column_name="meeting", readonly=True
    )
    delegation = fields.Field(
        attribute="delegation", column_name="delegation", widget=DelegationWidget()
    )
    name_latin = fields.Field("name_latin", "name_latin", TextWidget())
    name_cyrillic = fields.Field("name_cyrillic", "name_cyrillic", TextWidget())
    position_en = fields.Field("position_en", "position_en", TextWidget())
    position_ru = fields.Field("position_ru", "position_ru", TextWidget())
    role = fields.Field(
        "role", "role", ChoiceWidget(Delegate.Role), saves_null_values=False
    )
    email = fields.Field("email", "email", TextWidget())
    phone = fields.Field("phone", "phone", PhoneWidget())
    preferred_language = fields.Field(
        "preferred_language",
        "preferred_language",
        ChoiceWidget(Language),
        saves_null_values=False,
    )
    funded = fields.Field("funded", "funded", YesNoWidget())
    dietary_needs = fields.Field("dietary_needs", "dietary_needs", TextWidget())
    accessibility_needs = fields.Field(
        "accessibility_needs", "accessibility_needs", TextWidget()
    )

    required_columns = (
        "delegation",
        "name_latin",
        "name_cyrillic",
        "position_en",
        "position_ru",
        "role",
        "email",
    )
    constraint_columns = {"delegate_unique_email_per_meeting": "email"}

    class Meta:
        model = Delegate
        fields = (
            "id",
            "meeting",
            "delegation",
            "name_latin",
            "name_cyrillic",
            "position_en",
            "position_ru",
            "role",
            "email",
            "phone",
            "preferred_language",
            "funded",
            "dietary_needs",
            "accessibility_needs",
        )
        export_order = fields
        import_id_fields = ["id"]
        use_transactions = True
        clean_model_instances = False  # save_delegate validates
        report_skipped = False

    @classmethod
    def get_display_name(cls):
        return _("Delegates")

    def get_instance(self, instance_loader, row):
        meeting = self.row_meeting(row)
        email = text(row.get("email"))
        if email:
            self.once_in_file(
                (meeting.pk, email.casefold()),
                "email",
                _("this email is already on row %(row)s of this file."),
            )
        delegate_id = text(row.get("id"))
        if delegate_id:
            delegate = (
                Delegate.objects.filter(pk=delegate_id, meeting=meeting).first()
                if delegate_id.isdigit()
                else None
            )
            if delegate is None:
                raise ValidationError(
                    {
                        "id": _("%(meeting)s has no delegate with id %(id)s.")
                        % {"meeting": meeting.slug, "id": delegate_id}
                    }
                )
            return delegate
        existing = self.delegates(meeting).get(email.casefold()) if email else None
        if existing is not None:
            wanted = self.delegations(meeting).get(
                text(row.get("delegation")).casefold()
            )
            if wanted is not None and wanted.pk != existing.delegation_id:
                raise ValidationError(
                    {
                        "email": _(
                            "another delegate of this meeting has this email: "
                            "%(name)s of %(delegation)s. An import does not move "
                            "a delegate to another delegation."
                        )
                        % {
                            "name": existing.name_latin,
                            "delegation": existing.delegation.name_en,
                        }
                    }
                )
        return existing

    def do_instance_save(self, instance, is_create):
        try:
            if instance.delegation_id:
                # save_delegate validates without the meeting, which leaves out
                # the per-meeting unique email; ask the model's constraints here.
                instance.meeting_id = instance.delegation.meeting_id
                instance.validate_constraints()
            save_delegate(instance)
        except FundedQuotaExceeded as exc:
            raise ValidationError({"funded": exc.messages}) from None
        except ValidationError as exc:
            raise self.by_column(exc) from None
        except IntegrityError as exc:
            # A concurrent save took the email between our check and the insert.
            if "email" not in str(exc):
                raise
            raise ValidationError(
                {"email": _("Another delegate of this meeting has this email.")}
            ) from None


class FlightLegResource(MeetingScopedResource):
    """Flight legs in each airport's local time; an existing leg is found by id,
    else by delegate, flight number and departure."""

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    meeting = fields.Field(
        attribute="delegate__meeting__slug", column_name="meeting", readonly=True
    )
    delegate = fields.Field(
        attribute="delegate", column_name="delegate_email", widget=DelegateEmailWidget()
    )
    carrier = fields.Field("carrier", "carrier", TextWidget())
    flight_number = fields.Field("flight_number", "flight_number", TextWidget())
    from_airport = fields.Field(
        "from_airport", "from_airport", CodeWidget(validate_iata)
    )
    departs_local = fields.Field(
        "departs_local", "departs_local", LocalTimeWidget(), readonly=True
    )
    to_airport = fields.Field("to_airport", "to_airport", CodeWidget(validate_iata))
    arrives_local = fields.Field(
        "arrives_local", "arrives_local", LocalTimeWidget(), readonly=True
    )
    status = fields.Field(
        "status", "status", ChoiceWidget(FlightLeg.Status), saves_null_values=False
    )
    booking_reference = fields.Field(
        "booking_reference", "booking_reference", TextWidget()
    )
    fare = fields.Field("fare", "fare", FareWidget())
    currency = fields.Field(
        "currency", "currency", CodeWidget(validate_currency), saves_null_values=False
    )

    required_columns = (
        "delegate_email",
        "carrier",
        "flight_number",
        "from_airport",
        "departs_local",
        "to_airport",
        "arrives_local",
    )
    field_columns = {
        "departs_at": "departs_local",
        "arrives_at": "arrives_local",
        "delegate": "delegate_email",
    }
    constraint_columns = {
        "flight_arrives_after_departure": "arrives_local",
        "flight_between_two_airports": "to_airport",
        "flight_fare_not_negative": "fare",
    }
    TIMES = (
        ("departs_local", "departs_at", "from_airport"),
        ("arrives_local", "arrives_at", "to_airport"),
    )

    class Meta:
        model = FlightLeg
        fields = (
            "id",
            "meeting",
            "delegate",
            "carrier",
            "flight_number",
            "from_airport",
            "departs_local",
            "to_airport",
            "arrives_local",
            "status",
            "booking_reference",
            "fare",
            "currency",
        )
        export_order = fields
        import_id_fields = ["id"]
        use_transactions = True
        clean_model_instances = False  # save_flight_leg validates
        report_skipped = False

    @classmethod
    def get_display_name(cls):
        return _("Flights")

    def __init__(self, meeting: Meeting | None = None, **kwargs):
        super().__init__(meeting=meeting, **kwargs)
        self._legs: dict = {}

    def legs(self, meeting: Meeting) -> dict:
        if meeting.pk not in self._legs:
            self._legs[meeting.pk] = {
                (leg.delegate_id, leg.flight_number.upper(), leg.departs_at): leg
                for leg in FlightLeg.objects.filter(delegate__meeting=meeting)
            }
        return self._legs[meeting.pk]

    @staticmethod
    def utc(row, column: str, airport_column: str) -> datetime.datetime | None:
        """Return the row's local time in UTC, or None if it cannot be read."""
        airport = text(row.get(airport_column)).upper()
        if airport not in airports():
            return None
        try:
            return FlightLegForm.to_utc(parse_local(row.get(column)), airport)
        except ValueError:
            return None

    def get_instance(self, instance_loader, row):
        meeting = self.row_meeting(row)
        leg_id = text(row.get("id"))
        if leg_id:
            leg = (
                FlightLeg.objects.filter(pk=leg_id, delegate__meeting=meeting).first()
                if leg_id.isdigit()
                else None
            )
            if leg is None:
                raise ValidationError(
                    {
                        "id": _("%(meeting)s has no flight with id %(id)s.")
                        % {"meeting": meeting.slug, "id": leg_id}
                    }
                )
            return leg
        delegate = self.delegates(meeting).get(
            text(row.get("delegate_email")).casefold()
        )
        departs = self.utc(row, "departs_local", "from_airport")
        if delegate is None or departs is None:
            return None  # the cells' own errors say what is wrong
        key = (delegate.pk, text(row.get("flight_number")).upper(), departs)
        self.once_in_file(
            key,
            "flight_number",
            _("this delegate's flight is already on row %(row)s of this file."),
        )
        return self.legs(meeting).get(key)

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.message_dict
        for column, attribute, airport_column in self.TIMES:
            if column not in row:
                continue
            try:
                naive = parse_local(row[column])
            except ValueError as exc:
                errors[column] = [str(exc)]
                continue
            airport = getattr(instance, airport_column) or ""
            if airport_column not in errors and airport in airports():
                setattr(instance, attribute, FlightLegForm.to_utc(naive, airport))
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        try:
            save_flight_leg(instance)
        except ValidationError as exc:
            keyed = self.by_column(exc)
            arrival = keyed.message_dict.get("arrives_local")
            if arrival and instance.departs_at and instance.arrives_at:
                keyed.error_dict["arrives_local"] = [
                    ValidationError(
                        _("%(rule)s In UTC it departs %(dep)s and arrives %(arr)s.")
                        % {
                            "rule": " ".join(arrival),
                            "dep": instance.departs_at.strftime("%Y-%m-%d %H:%M"),
                            "arr": instance.arrives_at.strftime("%Y-%m-%d %H:%M"),
                        }
                    )
                ]
            raise keyed from None


RESOURCES = {"delegates": DelegateResource, "flights": FlightLegResource}


@dataclass
class ImportOutcome:
    """What an import did, or why it wrote nothing."""

    result: Result
    problems: list[RowProblem]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> dict:
        if self.problems or self.dry_run:
            return {"new": 0, "update": 0}
        totals = self.result.totals
        return {
            "new": totals[RowResult.IMPORT_TYPE_NEW],
            "update": totals[RowResult.IMPORT_TYPE_UPDATE],
        }


def import_file(
    data: bytes,
    *,
    kind: str,
    file_format: str,
    meeting: Meeting | None = None,
    dry_run: bool = False,
    user=None,
) -> ImportOutcome:
    """Return the outcome of importing a CSV or XLSX file of delegates or flights.

    The same path as the admin's preview (dry_run) and confirmation. Side effects:
    writes every row through the services, or, if any row is refused (or dry_run),
    nothing. Raises delegations.spreadsheets.UnreadableFile for a file that
    cannot be read safely.
    """
    dataset = read_dataset(data, file_format)
    resource = RESOURCES[kind](meeting=meeting)
    result = resource.import_data(dataset, dry_run=dry_run, user=user)
    return ImportOutcome(result, result.problems, dry_run)
