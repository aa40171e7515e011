"""Template helpers for bilingual content in the active language."""

from django import template
from django.utils import translation

from dialogue.i18n import normalise_language

register = template.Library()


@register.filter
def in_language(obj, method: str) -> str:
    """Return obj.<method>(lang) for the active language, e.g. title or name."""
    if obj is None:
        return ""
    return getattr(obj, method)(normalise_language(translation.get_language()))
