"""One way to show dates and times to people, in English and Russian.

Dates read "13 June 2017" / «13 июня 2017 г.», moments "13 June 2017, 09:30",
and a moment always says whose clock it is on, named for people:
"Ashgabat time (UTC+5)" / «по ашхабадскому времени (UTC+5)». No IANA key
("Asia/Ashgabat") is ever shown. The date patterns live in the format modules
(dialogue/formats/<lang>/formats.py, FORMAT_MODULE_PATH), so the admin's own
columns follow the same rule; this module adds the zones.

A zone is named after a city: the one the caller knows (the meeting's city, an
airport's city), else the city in the zone's key; a city missing from CITIES
is "local time (UTC+5)" / «местное время (UTC+5)».
"""

import datetime
import zoneinfo
from typing import NamedTuple

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dialogue.i18n import normalise_language

UTC_KEYS = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Etc/Zulu"}


class City(NamedTuple):
    en: str
    # The Russian adjective as the clock's name («ашхабадское время») and in the
    # phrase that follows a time («по ашхабадскому времени»).
    ru_nominative: str
    ru_dative: str


def _city(en: str, stem: str) -> City:
    return City(en, f"{stem}ое", f"{stem}ому")


# Every meeting city, every capital of the region and the usual transit hubs.
CITIES = {
    city.en: city
    for city in (
        _city("Ashgabat", "ашхабадск"),
        _city("Astana", "астанинск"),
        _city("Almaty", "алматинск"),
        _city("Bishkek", "бишкекск"),
        _city("Dushanbe", "душанбинск"),
        _city("Tashkent", "ташкентск"),
        _city("Samarkand", "самаркандск"),
        _city("Kabul", "кабульск"),
        _city("Brussels", "брюссельск"),
        _city("New York", "нью-йоркск"),
        _city("Geneva", "женевск"),
        _city("Vienna", "венск"),
        _city("Moscow", "московск"),
        _city("Istanbul", "стамбульск"),
        _city("Dubai", "дубайск"),
        _city("Baku", "бакинск"),
        _city("Tehran", "тегеранск"),
        _city("London", "лондонск"),
        _city("Paris", "парижск"),
        _city("Berlin", "берлинск"),
        _city("Frankfurt", "франкфуртск"),
        _city("Zurich", "цюрихск"),
        _city("Minsk", "минск"),
        _city("Tbilisi", "тбилисск"),
        _city("Yerevan", "ереванск"),
    )
}


def as_zone(zone) -> zoneinfo.ZoneInfo:
    """Return a ZoneInfo for a ZoneInfo, an IANA key or anything with .tzinfo."""
    if isinstance(zone, zoneinfo.ZoneInfo):
        return zone
    if isinstance(zone, str):
        return zoneinfo.ZoneInfo(zone)
    if hasattr(zone, "tzinfo") and isinstance(zone.tzinfo, zoneinfo.ZoneInfo):
        return zone.tzinfo
    if isinstance(zone, datetime.tzinfo):
        return zone
    raise TypeError(f"not a time zone: {zone!r}")


def find_city(zone: zoneinfo.ZoneInfo, city: str | None = None) -> City | None:
    """Return the city a zone is named after: the one given, else its key's."""
    if city:
        for part in (city, city.split(",")[-1].strip()):
            if part in CITIES:
                return CITIES[part]
    key = getattr(zone, "key", "") or ""
    return CITIES.get(key.rsplit("/", 1)[-1].replace("_", " "))


def airport_city(iata: str) -> str:
    """Return an airport's city in English ("Tashkent"), or "" when unknown."""
    from dialogue.documents import airport_city as city_in

    return city_in(iata, "en")


def airport_zone(iata: str) -> zoneinfo.ZoneInfo:
    """Return an airport's time zone."""
    from delegations.validators import airports

    return zoneinfo.ZoneInfo(airports()[iata.upper()]["tz"])


def utc_offset(moment: datetime.datetime) -> str:
    """Return the moment's offset as people write it: "UTC+5", "UTC-3:30", "UTC"."""
    offset = moment.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def _is_utc(zone) -> bool:
    return getattr(zone, "key", None) in UTC_KEYS or zone is datetime.UTC


def zone_name(
    zone,
    moment: datetime.datetime | None = None,
    *,
    city: str | None = None,
    lang: str | None = None,
) -> str:
    """Return the clock's name, as a label: "Ashgabat time (UTC+5)",
    «ашхабадское время (UTC+5)», «местное время (UTC+5)», "UTC".

    The offset is the one at `moment` (default: now).
    """
    zone = as_zone(zone)
    if _is_utc(zone):
        return "UTC"
    offset = utc_offset(
        (moment or datetime.datetime.now(datetime.UTC)).astimezone(zone)
    )
    found = find_city(zone, city)
    code = normalise_language(lang)
    with translation.override(code):
        if found is None:
            return _("local time (%(offset)s)") % {"offset": offset}
        name = found.ru_nominative if code == "ru" else found.en
        return _("%(city)s time (%(offset)s)") % {"city": name, "offset": offset}


def zone_phrase(
    zone,
    moment: datetime.datetime | None = None,
    *,
    city: str | None = None,
    lang: str | None = None,
) -> str:
    """Return the clock's name as it follows a time: "Ashgabat time (UTC+5)",
    «по ашхабадскому времени (UTC+5)», «по местному времени (UTC+5)», "UTC"."""
    zone = as_zone(zone)
    if _is_utc(zone):
        return "UTC"
    offset = utc_offset(
        (moment or datetime.datetime.now(datetime.UTC)).astimezone(zone)
    )
    found = find_city(zone, city)
    code = normalise_language(lang)
    with translation.override(code):
        if found is None:
            return pgettext("after a time", "local time (%(offset)s)") % {
                "offset": offset
            }
        name = found.ru_dative if code == "ru" else found.en
        return pgettext("after a time", "%(city)s time (%(offset)s)") % {
            "city": name,
            "offset": offset,
        }


def format_date(value: datetime.date, lang: str | None = None) -> str:
    """Return "13 June 2017" / «13 июня 2017 г.»."""
    with translation.override(normalise_language(lang)):
        return formats.date_format(value, "DATE_FORMAT")


def format_time(moment: datetime.datetime, zone=None) -> str:
    """Return the moment's clock time in the zone (default: as given), "09:30"."""
    if zone is not None:
        moment = moment.astimezone(as_zone(zone))
    return f"{moment:%H:%M}"


def format_datetime(
    moment: datetime.datetime,
    zone=None,
    *,
    city: str | None = None,
    lang: str | None = None,
    with_zone: bool = True,
) -> str:
    """Return "13 June 2017, 09:30 Ashgabat time (UTC+5)" /
    «13 июня 2017 г., 09:30 по ашхабадскому времени (UTC+5)».

    The moment is shown on the zone's clock (default: UTC for a naive or UTC
    moment, else the moment's own zone). A Meeting as the zone brings its city.
    """
    if city is None and hasattr(zone, "city_en"):
        city = zone.city_en
    if zone is None:
        zone = moment.tzinfo if moment.tzinfo is not None else datetime.UTC
        if not isinstance(zone, zoneinfo.ZoneInfo):
            zone = zoneinfo.ZoneInfo("UTC")
    zone = as_zone(zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    local = moment.astimezone(zone)
    code = normalise_language(lang)
    with translation.override(code):
        text = formats.date_format(local, "DATETIME_FORMAT")
    if not with_zone:
        return text
    return f"{text} {zone_phrase(zone, local, city=city, lang=code)}"


def meeting_zone_name(meeting, lang: str | None = None) -> str:
    """Return the meeting's clock as a label, with its offset on its first day."""
    first_day = datetime.datetime.combine(
        meeting.start_date, datetime.time(12), tzinfo=meeting.tzinfo
    )
    return zone_name(meeting.tzinfo, first_day, city=meeting.city_en, lang=lang)
