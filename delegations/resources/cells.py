"""Cells to values: each widget reads one cell and raises ValueError with the
rule when it refuses it; the resource reports it as row, column and rule."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from delegations.spreadsheets import unneutralise
from delegations.validators import normalise_phone

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
        self._codes = None

    def codes(self) -> dict:
        """Return every accepted spelling, casefolded, with its code (built once)."""
        if self._codes is None:
            codes = {}
            for code, label in self.choices.choices:
                codes[code.casefold()] = code
                for lang in ("en", "ru"):
                    with translation.override(lang):
                        codes[str(label).casefold()] = code
            self._codes = codes
        return self._codes

    def clean(self, value, row=None, **kwargs):
        raw = text(value)
        if not raw:
            return None
        code = self.codes().get(raw.casefold())
        if code is None:
            raise ValueError(
                _("%(value)s is not one of: %(choices)s.")
                % {"value": raw, "choices": ", ".join(self.choices.values)}
            )
        return code


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
