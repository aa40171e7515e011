"""Money on the budget page, by the one rule of dialogue/money.py, memoised.

A budget of 193 delegations formats thousands of amounts, most of them the
same few figures (0.00, a fare, a night's DSA); babel formats each one
afresh. The result depends only on the amount, the currency and the active
language, so it is kept.

    {% load travel_money %}{{ amount|cost:currency }}
"""

from functools import lru_cache

from django import template
from django.utils.translation import get_language

from dialogue.money import format_money

register = template.Library()


@lru_cache(maxsize=8192)
def _formatted(amount, currency: str, language: str) -> str:
    return format_money(amount, currency, language)


@register.filter
def cost(amount, currency) -> str:
    """Return the amount in its currency's format, in the active language."""
    return _formatted(amount, currency, get_language() or "en")
