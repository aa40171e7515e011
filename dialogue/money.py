"""Amounts of money in their currency's format, in the reader's language.

One rule, from the CLDR data that Babel ships (no hand-written table):
each currency has its own number of decimals (JPY none, USD two) and its
own symbol, and each language its own separators (Russian: comma decimals,
non-breaking spaces between thousands and before the symbol).

    format_money(Decimal("412"), "USD")        '$412.00'      (English)
    format_money(Decimal("412"), "USD", "ru")  '412,00 $'     (Russian)
    format_money(Decimal("1500"), "JPY")       '¥1,500'

Exports (CSV, XLSX) keep raw numbers and a currency column instead.
"""

from decimal import Decimal

from babel.numbers import format_currency

from dialogue.i18n import normalise_language


def format_money(amount, currency: str, lang: str | None = None) -> str:
    """Return the amount in its currency's format (default: the active language)."""
    if amount is None or amount == "":
        return ""
    if not currency:
        return str(amount)
    return format_currency(
        Decimal(str(amount)), currency, locale=normalise_language(lang)
    )
