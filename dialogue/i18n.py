"""Bilingual content: every participant-facing field exists as `<name>_en` and
`<name>_ru`. These helpers pick the one for a language."""

from django.utils import translation

CONTENT_LANGUAGES = ("en", "ru")


def normalise_language(lang: str | None) -> str:
    """Return 'en' or 'ru' for any language code (default: the active one)."""
    code = (lang or translation.get_language() or "en")[:2].lower()
    return code if code in CONTENT_LANGUAGES else "en"


def localized(obj, field: str, lang: str | None = None) -> str:
    """Return obj.<field>_<lang>, falling back to the other language if empty."""
    code = normalise_language(lang)
    value = getattr(obj, f"{field}_{code}", "")
    if value:
        return value
    other = "ru" if code == "en" else "en"
    return getattr(obj, f"{field}_{other}", "")


def missing_translations(obj, fields: tuple[str, ...]) -> list[str]:
    """Return the names of bilingual fields that are empty in either language."""
    return [
        f"{field}_{code}"
        for field in fields
        for code in CONTENT_LANGUAGES
        if not (getattr(obj, f"{field}_{code}", "") or "").strip()
    ]


def requested_language(request, default: str | None = None) -> str:
    """Return the ?lang= of a request if it is en or ru, else the default.

    The default is the given language, or the active one.
    """
    asked = request.GET.get("lang")
    if asked in CONTENT_LANGUAGES:
        return asked
    return normalise_language(default)
