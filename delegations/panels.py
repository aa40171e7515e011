"""Other apps add sections to the participant pages and events to the calendar.

The agenda adds the programme, the declaration adds circulated drafts, the packs
add downloads; each registers here from its AppConfig.ready(), so delegations
does not import them.

A panel is a function (link, delegates, lang) -> {"template": ..., **context}
or None; it must use a fixed number of queries. A calendar source is a function
(link, delegates, lang) -> list of event dicts (see delegations.calendar).
"""

from collections.abc import Callable

PANELS: list[tuple[int, Callable]] = []
CALENDAR_SOURCES: list[Callable] = []


def register_panel(order: int, panel: Callable) -> None:
    if panel not in [p for _, p in PANELS]:
        PANELS.append((order, panel))
        PANELS.sort(key=lambda item: item[0])


def register_calendar_source(source: Callable) -> None:
    if source not in CALENDAR_SOURCES:
        CALENDAR_SOURCES.append(source)


def panels_for(link, delegates, lang: str) -> list[dict]:
    return [
        panel
        for _, build in PANELS
        if (panel := build(link, delegates, lang)) is not None
    ]


def calendar_events_for(link, delegates, lang: str) -> list[dict]:
    return [
        event for source in CALENDAR_SOURCES for event in source(link, delegates, lang)
    ]
