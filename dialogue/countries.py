"""Country names in English and Russian from pycountry's ISO 3166 catalogues."""

import gettext
from functools import cache

import pycountry

from dialogue.i18n import normalise_language


@cache
def _russian_catalogue() -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=["ru"], fallback=True
    )


def country_name(alpha_2: str, lang: str | None = None) -> str:
    """Return the common name of a country in English or Russian."""
    country = pycountry.countries.get(alpha_2=(alpha_2 or "").upper())
    if country is None:
        return alpha_2
    english = getattr(country, "common_name", None) or country.name
    if normalise_language(lang) == "en":
        return english
    return _russian_catalogue().gettext(country.name)
