"""Amounts in their currency's format (dialogue/money.py), from Babel's CLDR data."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from dialogue.money import format_money

NBSP = "\xa0"


def test_usd_has_two_decimals_in_english_and_russian():
    assert format_money(Decimal("412"), "USD", "en") == "$412.00"
    assert format_money(Decimal("412"), "USD", "ru") == f"412,00{NBSP}$"


def test_russian_groups_thousands_with_non_breaking_spaces_and_comma_decimals():
    assert format_money(Decimal("1234567.5"), "EUR", "en") == "€1,234,567.50"
    assert (
        format_money(Decimal("1234567.5"), "EUR", "ru")
        == f"1{NBSP}234{NBSP}567,50{NBSP}€"
    )


def test_jpy_has_no_decimals():
    assert format_money(Decimal("1500"), "JPY", "en") == "¥1,500"
    assert format_money(Decimal("1500"), "JPY", "ru") == f"1{NBSP}500{NBSP}¥"


def test_default_is_the_active_language():
    with translation.override("ru"):
        assert format_money(Decimal("412"), "USD") == f"412,00{NBSP}$"
    with translation.override("en"):
        assert format_money(Decimal("412"), "USD") == "$412.00"


def test_nothing_for_no_amount():
    assert format_money(None, "USD") == ""


def test_template_filter_speaks_the_active_language():
    template = Template("{% load money %}{{ amount|money:currency }}")
    context = Context({"amount": Decimal("412.00"), "currency": "USD"})
    with translation.override("ru"):
        assert template.render(context) == f"412,00{NBSP}$"
    with translation.override("en"):
        assert template.render(context) == "$412.00"
