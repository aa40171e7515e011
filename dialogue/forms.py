"""What every form of the apps shares: showing a service's refusal on its fields."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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
