"""Money in templates, by the one rule of dialogue/money.py.

    {% load money %}
    {{ line.total|money:line.currency }}   $412.00 / 412,00 $

Speaks the active language.
"""

from django import template

from dialogue.money import format_money

register = template.Library()


@register.filter
def money(amount, currency) -> str:
    """Return the amount in its currency's format, in the active language."""
    return format_money(amount, currency)
