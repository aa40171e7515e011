"""Tabular inlines whose fields say what they are.

Django's tabular inline shows a field's label only once, as the column's
header: a screen reader reaching "KC 123" in row 2 hears no name (axe-core's
critical `label` and `select-name`). Each widget here gets its label and row
as aria-label ("carrier, flight leg 2").
"""

from django.contrib import admin
from django.utils.translation import gettext as _


def label_fields(form, item: str, number: int | None) -> None:
    """Give every visible widget of an inline row its label and row number."""
    for name, field in form.fields.items():
        if field.widget.is_hidden:
            continue
        label = _("delete") if name == "DELETE" else str(field.label or name)
        if number is None:
            text = _("%(field)s, new %(item)s") % {"field": label, "item": item}
        else:
            text = _("%(field)s, %(item)s %(number)s") % {
                "field": label,
                "item": item,
                "number": number,
            }
        widget = field.widget
        widget.attrs["aria-label"] = text
        # A related-object wrapper renders the widget it wraps.
        if getattr(widget, "widget", None) is not None:
            widget.widget.attrs["aria-label"] = text


class LabelledTabularInline(admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        item = str(self.model._meta.verbose_name)

        class LabelledFormSet(formset):
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                label_fields(form, item, i + 1)
                return form

            @property
            def empty_form(self):
                form = super().empty_form
                label_fields(form, item, None)
                return form

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet
