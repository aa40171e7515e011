"""What every form of the apps shares: showing a service's refusal on its
fields, and wall-clock times that are asked back when they are not one instant."""

import datetime
import zoneinfo

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dialogue import localtime
from dialogue.localtime import format_offset, parse_offset


def add_service_error(
    form: forms.BaseForm,
    error: ValidationError,
    *,
    fields: dict[str, str] | None = None,
) -> None:
    """Show a service's ValidationError on the fields of the form it is about.

    The services hold the rules and raise ValidationError keyed by model field
    (error.error_dict) or carrying a code. `fields` maps a model field or a code
    to the form field that shows it (e.g. {"end_at": "end_local"}); a key the
    form has no field for becomes an error of the whole form, so nothing a
    service says is ever dropped.
    """
    fields = fields or {}
    if hasattr(error, "error_dict"):
        items = error.error_dict.items()
    else:
        items = [(NON_FIELD_ERRORS, error.error_list)]
    for key, errors in items:
        for item in errors:
            target = fields.get(key) or fields.get(item.code) or key
            if target not in form.fields:
                target = None
            form.add_error(target, item)


class WallTimeInput(forms.DateTimeInput):
    """A datetime-local input that, when its time happens twice at the place
    (the clocks go back), shows a choice of the two offsets beside it."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
        self.offsets: list[str] = []  # set by wall_time_to_utc when it must ask
        self.chosen = ""
        self.initial_chosen = ""  # the saved instant's offset (offer_offsets)

    @staticmethod
    def offset_name(name: str) -> str:
        return f"{name}_offset"

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not self.offsets:
            return html
        first, second = self.offsets
        choices = [
            ("", _("Which one?")),
            (first, _("the first, at UTC%(offset)s") % {"offset": first}),
            (second, _("the second, at UTC%(offset)s") % {"offset": second}),
        ]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, mark_safe(" selected") if value == self.chosen else "", label)
                for value, label in choices
            ),
        )
        return format_html(
            '{} <select name="{}" aria-label="{}">{}</select>',
            html,
            self.offset_name(name),
            _("Which of the two times"),
            options,
        )


class WallTimeField(forms.DateTimeField):
    """A wall-clock date and time at a place, kept naive: the place's zone is
    the form's to apply (wall_time_to_utc), not the server's current one."""

    widget = WallTimeInput

    def to_python(self, value):
        result = super().to_python(value)
        return result.replace(tzinfo=None) if result else result

    def prepare_value(self, value):
        return value  # a wall time: never shifted into the server's zone


def wall_time_to_utc(
    form: forms.BaseForm, field: str, naive, zone, *, place: str
) -> datetime.datetime | None:
    """Return the field's wall time at the place as a UTC instant, or None
    after putting on the field why it names no instant or two.

    A time that happens twice is asked back: the field's widget (WallTimeInput)
    then offers the two offsets, and the one chosen decides.
    """
    zone = zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone
    widget = form.fields[field].widget
    chosen = ""
    if form.is_bound:
        chosen = form.data.get(WallTimeInput.offset_name(form.add_prefix(field)), "")
    try:
        offset = parse_offset(chosen) if chosen else None
        instant = localtime.to_utc(naive, zone, place=place, offset=offset)
    except localtime.AmbiguousLocalTime as exc:
        widget.offsets = [format_offset(each.utcoffset()) for each in exc.occurrences]
        widget.chosen = ""
        form.add_error(field, f"{exc} {_('Choose which one beside the time.')}")
        return None
    except (localtime.LocalTimeError, ValueError) as exc:
        form.add_error(field, str(exc))
        return None
    if chosen:
        # Keep the choice on the page, should another field send it back.
        widget.offsets = [
            format_offset(each.utcoffset())
            for each in localtime.occurrences(naive, zone)
        ]
        widget.chosen = chosen
    return instant


def offer_offsets(form: forms.BaseForm, field: str, instant, zone) -> None:
    """When an existing instant's wall time happens twice, show the choice
    with its own offset selected, so that saving it unchanged keeps it."""
    zone = zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone
    if field in form.fields and localtime.is_ambiguous(instant, zone):
        local = instant.astimezone(zone)
        widget = form.fields[field].widget
        widget.offsets = [
            format_offset(each.utcoffset())
            for each in localtime.occurrences(local.replace(tzinfo=None), zone)
        ]
        widget.chosen = widget.initial_chosen = format_offset(local.utcoffset())


def offset_changed(form: forms.BaseForm, field: str) -> bool:
    """Return whether the person changed which of two times the field means
    (the field itself compares only the wall time)."""
    widget = form.fields[field].widget
    name = WallTimeInput.offset_name(form.add_prefix(field))
    return form.is_bound and form.data.get(name, "") != widget.initial_chosen
