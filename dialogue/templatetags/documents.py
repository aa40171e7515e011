"""Template filters of the PDFs: {{ text|typeset:lang }} (see dialogue.documents)."""

from django import template

from dialogue.documents import smart_quotes as _smart_quotes
from dialogue.documents import typeset as _typeset

register = template.Library()


@register.filter
def typeset(text, lang="en"):
    return _typeset(text, lang)


@register.filter
def quotes(text, lang="en"):
    return _smart_quotes(str(text or ""), lang)
