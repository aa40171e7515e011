"""The one way a service says "what a document shows has changed".

A service that changes a document's input (a delegate, a flight, a hotel stay,
a transfer, a session, a speaking slot, a circulated or adopted version, a
meeting field) calls `inputs_changed(meeting_id, delegation_ids=...)` inside
its transaction, the way it queues an email. The apps that make documents
subscribe in their AppConfig.ready (packs marks the packs concerned stale and
queues a coalesced re-render after commit), so the services import none of
them and imports keep pointing one way.

delegation_ids=None means every delegation of the meeting (a programme or
declaration change is in every pack); a list means only their documents (a
flight is in its delegation's itineraries only).
"""

from collections.abc import Callable, Iterable

Listener = Callable[..., object]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Call listener(meeting_id, delegation_ids=...) at every input change."""
    if listener not in _listeners:
        _listeners.append(listener)


def inputs_changed(
    meeting_id: int | None, *, delegation_ids: Iterable[int | None] | None = None
) -> None:
    """Tell every subscriber that documents of the meeting have new inputs.

    Called inside the service's transaction: what the subscribers write
    commits or rolls back with the change itself.
    """
    if meeting_id is None:
        return
    if delegation_ids is not None:
        delegation_ids = sorted({pk for pk in delegation_ids if pk is not None})
        if not delegation_ids:
            return
    for listener in _listeners:
        listener(meeting_id, delegation_ids=delegation_ids)
