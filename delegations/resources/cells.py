"""Cells to values: each widget reads one cell and raises ValueError with the
rule when it refuses it; the resource reports it as row, column and rule."""

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import widgets

from delegations.spreadsheets import unneutralise
from delegations.validators import normalise_phone
from dialogue.localtime import format_offset, is_ambiguous, parse_offset

HEADER_ROW = 1  # data row n of the dataset is spreadsheet row n + 1
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


LOCAL_PATTERN = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})[ T]"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\s*(?P<offset>[zZ]|UTC|GMT|(?:UTC|GMT)?[+-]\d{2}:?\d{2}))?$"
)


def parse_local(value) -> tuple[datetime.datetime, datetime.timedelta | None]:
    """Return a naive local date-time, with the offset from UTC if the cell
    gives one, from "2017-06-12 09:10", "2017-10-29 02:30 +01:00" or an XLSX
    date. Raises ValueError saying why the cell is not a date and time."""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0), None
    raw = text(value)
    match = LOCAL_PATTERN.match(raw)
    if match is None:
        raise ValueError(
            _(
                "%(value)s is not a local date and time such as 2017-06-12 09:10 "
                "(or 2017-10-29 02:30 +01:00 with its offset from UTC)."
            )
            % {"value": raw or _("(empty)")}
        )
    year, month, day = (int(match[part]) for part in ("year", "month", "day"))
    hour, minute = int(match["hour"]), int(match["minute"])
    if not 1 <= month <= 12:
        raise ValueError(
            _("%(value)s is not a date: there is no month %(month)s.")
            % {"value": raw, "month": match["month"]}
        )
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ValueError(
            ngettext(
                "%(value)s is not a date: that month has %(days)s day.",
                "%(value)s is not a date: that month has %(days)s days.",
                days,
            )
            % {"value": raw, "days": days}
        )
    if hour > 23 or minute > 59 or int(match["second"] or 0) > 59:
        raise ValueError(
            _(
                "%(value)s is not a time of day: hours run from 00 to 23, "
                "minutes from 00 to 59."
            )
            % {"value": raw}
        )
    naive = datetime.datetime(year, month, day, hour, minute)
    offset = parse_offset(match["offset"]) if match["offset"] else None
    return naive, offset


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
    """Export only: the leg's local time, with its offset from UTC when the
    clocks show that time twice (so the file reads back as the same instant);
    import converts in the resource."""

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        shown = value.strftime("%Y-%m-%d %H:%M")
        if is_ambiguous(value, value.tzinfo):
            shown += f" {format_offset(value.utcoffset())}"
        return shown


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
                % {"value": raw, "meeting": meeting}
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
                % {"meeting": meeting, "email": raw}
            )
        return delegate

    def render(self, value, obj=None, **kwargs):
        return value.email if value else ""
