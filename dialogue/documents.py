"""What the portal's PDFs share: typography and the meeting's letterhead images.

Used by the briefing packs, the visa letters and the declaration's PDF, so it
lives on the ground floor (dialogue imports no app).

* ``typeset(text, lang)`` turns plain text into safe HTML for a PDF: escaped,
  straight double quotes made typographic (“ ” in English, « » in Russian),
  document symbols (A/70/674) kept on one line and words in capitals
  (UNRCCA) never hyphenated.
* ``meeting_image(meeting, "logo")`` names an uploaded image for WeasyPrint by
  the ``dialoguemedia:`` scheme, with a digest of its bytes (so a pack's
  fingerprint changes with the image). ``media_bytes`` is the one reader of that
  scheme: a file under MEDIA_ROOT/meetings/, nothing else. Media is never served
  under a public URL.
* ``airport_place("ASB", "ru")`` is "Ашхабад (ASB)": the airport's city from
  airportsdata, in Russian where we know the name, with the code after.
* ``place(venue, city, country)`` joins them without repeating a part the
  previous one already names ("Yyldyz Hotel, Ashgabat" + "Ashgabat").
"""

import hashlib
import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MEDIA_SCHEME = "dialoguemedia:"
MEDIA_FOLDER = "meetings"

QUOTES = {"en": ("\u201c", "\u201d"), "ru": ("\u00ab", "\u00bb")}

# A UN document symbol: capitals, then parts after slashes (A/70/674,
# A/RES/60/288, S/2017/123, UNRCCA/2017/HLD/1).
SYMBOL = re.compile(r"\b[A-Z]{1,10}(?:/[A-Z0-9][A-Za-z0-9.\-]*)+")
# A word in capitals (two letters or more, Latin or Cyrillic): UNCCT, ООН.
CAPITALS = re.compile(r"\b[A-ZА-ЯЁ]{2,}(?:-[A-ZА-ЯЁ]{2,})*\b")
# A capitalised compound (Secretary-General, Counter-Terrorism): it may break
# at its hyphen, never inside a part.
COMPOUND = re.compile(r"\b[A-ZА-ЯЁ][a-zа-яё]+(?:-[A-Za-zА-Яа-яЁё][a-zа-яё]+)+\b")
# An opening quote follows the start, a space or an opening bracket or dash.
OPENING = re.compile(r'(^|[\s(\[\u2013\u2014/])"')


def smart_quotes(text: str, lang: str) -> str:
    """Return text with straight double quotes made typographic for lang."""
    opening, closing = QUOTES.get((lang or "en")[:2], QUOTES["en"])
    text = OPENING.sub(lambda m: m.group(1) + opening, text)
    return text.replace('"', closing)


def typeset(text, lang: str) -> SafeString:
    """Return plain text as safe HTML with the documents' typography."""
    text = smart_quotes(str(text or ""), lang)
    out = []
    position = 0
    pattern = re.compile(
        f"(?P<nobr>{SYMBOL.pattern}|{CAPITALS.pattern})|(?P<name>{COMPOUND.pattern})"
    )
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        css = "nobr" if match.group("nobr") else "name"
        out.append(f'<span class="{css}">{escape(match.group(0))}</span>')
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def meeting_file(name: str) -> Path | None:
    """Return the file a stored name points to, if it is a meeting's upload."""
    if not name or "\\" in name or ".." in name.split("/"):
        return None
    root = media_root()
    path = (root / name).resolve()
    if (root / MEDIA_FOLDER) not in path.parents or not path.is_file():
        return None
    return path


def meeting_image(meeting, field: str) -> dict | None:
    """Return {"url", "digest"} of the meeting's uploaded image, or None."""
    file = getattr(meeting, field)
    path = meeting_file(file.name if file else "")
    if path is None:
        return None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return {"url": f"{MEDIA_SCHEME}{file.name}", "digest": digest}


def media_bytes(url: str) -> bytes | None:
    """Return the bytes of a dialoguemedia: URL, or None when it is not ours."""
    if not url.startswith(MEDIA_SCHEME):
        return None
    path = meeting_file(url[len(MEDIA_SCHEME) :])
    return path.read_bytes() if path else None


# Russian names of the cities airportsdata gives in English: the region's
# capitals and airports, and the usual transit hubs.
CITIES_RU = {
    "Ashgabat": "Ашхабад",
    "Turkmenabat": "Туркменабат",
    "Turkmenbashi": "Туркменбаши",
    "Mary": "Мары",
    "Astana": "Астана",
    "Almaty": "Алматы",
    "Shymkent": "Шымкент",
    "Bishkek": "Бишкек",
    "Osh": "Ош",
    "Dushanbe": "Душанбе",
    "Khujand": "Худжанд",
    "Tashkent": "Ташкент",
    "Samarkand": "Самарканд",
    "Bukhara": "Бухара",
    "Kabul": "Кабул",
    "Istanbul": "Стамбул",
    "Dubai": "Дубай",
    "Doha": "Доха",
    "Baku": "Баку",
    "Tehran": "Тегеран",
    "Moscow": "Москва",
    "Minsk": "Минск",
    "Tbilisi": "Тбилиси",
    "Yerevan": "Ереван",
    "Frankfurt am Main": "Франкфурт-на-Майне",
    "Frankfurt": "Франкфурт-на-Майне",
    "Brussels": "Брюссель",
    "Vienna": "Вена",
    "Geneva": "Женева",
    "Zurich": "Цюрих",
    "Paris": "Париж",
    "London": "Лондон",
    "Berlin": "Берлин",
    "Oslo": "Осло",
    "Riga": "Рига",
    "Warsaw": "Варшава",
    "New York": "Нью-Йорк",
    "Beijing": "Пекин",
    "Urumqi": "Урумчи",
    "Delhi": "Дели",
    "New Delhi": "Нью-Дели",
}


@cache
def _airports() -> dict:
    import airportsdata

    return airportsdata.load("IATA")


def airport_city(iata: str, lang: str = "en") -> str:
    """Return an airport's city in lang, or "" when the code is unknown."""
    airport = _airports().get((iata or "").upper()) or {}
    city = (airport.get("city") or "").split(",")[-1].strip()
    if (lang or "en")[:2] == "ru":
        return CITIES_RU.get(city, city)
    return city


def airport_place(iata: str, lang: str = "en") -> str:
    """Return "Ashgabat (ASB)", or the bare code when the city is unknown."""
    city = airport_city(iata, lang)
    return f"{city}\u00a0({iata})" if city else iata


def place(*parts: str) -> str:
    """Return the non-empty parts joined by commas, none repeating the one before.

    A part that is already one of the comma-separated pieces before it is left
    out.
    """
    out: list[str] = []
    for part in (p.strip() for p in parts if p and p.strip()):
        seen = {piece.strip().casefold() for text in out for piece in text.split(",")}
        if part.casefold() not in seen:
            out.append(part)
    return ", ".join(out)
