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


# A link issued is not a change of any document's content, but a focal point's
# link page offers documents made for it (its delegation's own manifest): the
# apps that make them listen here.
_link_listeners: list[Listener] = []


def subscribe_link_issued(listener: Listener) -> None:
    """Call listener(meeting_id, delegation_ids=[...]) when a focal point's link
    is issued."""
    if listener not in _link_listeners:
        _link_listeners.append(listener)


def focal_link_issued(meeting_id: int, delegation_id: int) -> None:
    """Tell the subscribers; called inside the link service's transaction."""
    for listener in _link_listeners:
        listener(meeting_id, delegation_ids=[delegation_id])


# A delegate about to be deleted (withdrawn, replaced, taken off a list in the
# admin): apps that hold something of theirs that must stop with them (a
# badge) listen here, so every deletion path tells them and delegations
# imports none of them.
_leaving_listeners: list[Listener] = []


def subscribe_delegate_leaving(listener: Listener) -> None:
    """Call listener(delegate_id) before a delegate's row is deleted."""
    if listener not in _leaving_listeners:
        _leaving_listeners.append(listener)


def delegate_leaving(delegate_id: int) -> None:
    """Tell the subscribers; called inside the deleting service's transaction."""
    for listener in _leaving_listeners:
        listener(delegate_id)


# A document made, queued or failed (a pack rendered by a worker): not a change
# of any input, but the link pages list the documents with their state and
# time, so the apps that keep those pages listen here.
_made_listeners: list[Listener] = []


def subscribe_documents_made(listener: Listener) -> None:
    """Call listener(meeting_id, delegation_ids=...) when documents of the
    meeting were made or changed state (delegation_ids=None: the meeting's)."""
    if listener not in _made_listeners:
        _made_listeners.append(listener)


def documents_made(
    meeting_id: int | None, *, delegation_ids: Iterable[int | None] | None = None
) -> None:
    """Tell the subscribers; called by the app that made the documents."""
    if meeting_id is None:
        return
    if delegation_ids is not None:
        delegation_ids = sorted({pk for pk in delegation_ids if pk is not None})
    for listener in _made_listeners:
        listener(meeting_id, delegation_ids=delegation_ids)
