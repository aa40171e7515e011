"""Field validators backed by maintained data libraries."""

import airportsdata
import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_AIRPORTS = None


def airports() -> dict:
    """Return airportsdata's IATA table, loaded once per process."""
    global _AIRPORTS
    if _AIRPORTS is None:
        _AIRPORTS = airportsdata.load("IATA")
    return _AIRPORTS


def validate_iata(value: str) -> None:
    if value.upper() not in airports():
        raise ValidationError(
            _("%(value)s is not a known IATA airport code."), params={"value": value}
        )


def airport_time_zone(iata: str) -> str:
    return airports()[iata.upper()]["tz"]


def validate_currency(value: str) -> None:
    if pycountry.currencies.get(alpha_3=value.upper()) is None:
        raise ValidationError(
            _("%(value)s is not an ISO 4217 currency code such as USD or EUR."),
            params={"value": value},
        )


def normalise_phone(value: str) -> str:
    """Return the number in E.164 form, or raise ValidationError."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _(
                "Enter the phone number in international form with its country "
                "code, e.g. +993 12 345678."
            )
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)s is not a valid phone number."), params={"value": value}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    normalise_phone(value)


def format_phone(value: str) -> str:
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
