"""The participant pages' HTML, kept per link and language until an input changes.

A link page is read far more often than what it shows changes: a delegate opens
their itinerary again and again, a focal point reloads the delegation's page.
Each rendered page is kept in Django's cache (settings.CACHES, from CACHE_URL)
under a key made of the link (its id and creation time: a link made after a
database was reset never meets a page of an earlier link with the same id),
its kind, the page's language and the query parameters the page reads
(`page`), together with three versions: one for everything, one for the
link's meeting and one for its delegation.

A version is a random token in the cache. A page is kept with the versions
it was rendered under, and served only while they are still the current ones
(the versions and the page are read in one get_many). A change replaces the
token of its scope; a replaced token, or one evicted and made again, never
equals an earlier one, so no old page can come back.

What says "this input changed":

- the services, through dialogue.changes.inputs_changed (the same call that
  marks the packs stale) and focal_link_issued: a delegation's change, or the
  whole meeting's;
- for the rows the page shows that no service hook covers (a session, the
  meeting, a circulation, a nomination request, a pack...), post_save and
  post_delete of their models (WATCHED below);
- the apps that make documents a page lists (the packs, whose state changes
  are QuerySet.update calls), through dialogue.changes.documents_made when
  one is queued, made, skipped or fails (dialogue.packs.services.pack_state_shown).

Each change replaces its token at once (the next request in this process, and
a test's transaction, see it) and again after its transaction commits: a page
that another process rendered from the old rows while the change was not yet
committed was kept with the first new token, and the second one leaves it
behind. Changes within one transaction are told once per scope until a page
is read again.

Writes that send no signal (QuerySet.update, bulk_create) must go through a
service that calls inputs_changed, or through page_changed here.
"""

import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token

from dialogue.tasking import after_commit

# In the cached HTML where each response's CSRF token goes ({% csrf_token %}
# renders it from the context); never a valid token, so a page stored without
# its substitution fails a form post rather than letting one through.
CSRF_PLACEHOLDER = "csrf-token-of-this-response-0c5e1f"

# The query parameters a cached page may depend on; a request with any other
# is rendered afresh (the page may read it).
PAGE_PARAMETERS = frozenset({"lang", "page"})

GLOBAL = ("g", 0)
PREFIX = "page:"

# The models whose rows a link page shows: label -> (scope, field). The scope
# is "d" (the row's delegation) or "m" (its meeting); the field is the row's
# own attribute, or a path followed by one query (saves only: a deleted row's
# path cannot be followed, so it tells every page).
WATCHED = {
    "dialogue.Meeting": ("m", "pk"),
    "delegations.Delegation": ("d", "pk"),
    "delegations.Delegate": ("d", "delegation_id"),
    "delegations.FlightLeg": ("d", "delegate__delegation_id"),
    "delegations.HotelStay": ("d", "delegate__delegation_id"),
    "delegations.GroundTransfer": ("d", "delegate__delegation_id"),
    "agenda.Room": ("m", "meeting_id"),
    "agenda.Session": ("m", "meeting_id"),
    "agenda.SpeakingSlot": ("m", "session__meeting_id"),
    "declaration.Declaration": ("m", "meeting_id"),
    "declaration.Version": ("m", "declaration__meeting_id"),
    "declaration.Paragraph": ("m", "version__declaration__meeting_id"),
    "declaration.Circulation": ("d", "delegation_id"),
    # Other delegations' proposals show once the compilation is shared.
    "declaration.Comment": ("m", "version__declaration__meeting_id"),
    "declaration.Silence": ("m", "version__declaration__meeting_id"),
    "declaration.Objection": ("m", "silence__version__declaration__meeting_id"),
    "declaration.Adoption": ("m", "declaration__meeting_id"),
    "declaration.Compilation": ("m", "version__declaration__meeting_id"),
    "accreditation.NominationRequest": ("d", "delegation_id"),
    "accreditation.Credentials": ("d", "delegation_id"),
    "accreditation.TravelRequest": ("d", "delegate__delegation_id"),
    "accreditation.FlightChangeRequest": ("d", "flight__delegate__delegation_id"),
    "packs.Pack": ("d", "delegation_id"),
}


def _version_key(scope: tuple[str, int]) -> str:
    return f"{PREFIX}v:{scope[0]}:{scope[1]}"


def _new_token() -> str:
    return secrets.token_hex(8)


def _replace(scopes) -> None:
    cache.set_many({_version_key(s): _new_token() for s in scopes}, timeout=None)


class _Pending:
    """The scopes told in one transaction, replaced again when it commits."""

    def __init__(self):
        self.scopes: set = set()
        # Replaced since this thread last read a version: telling them again
        # changes nothing until a page is read (a cascade of deletes tells
        # each scope once).
        self.fresh: set = set()

    def flush(self) -> None:
        _replace(self.scopes)

    def is_registered(self) -> bool:
        # Django drops the commit hooks of a transaction (or savepoint) that
        # rolls back: then the scopes told in it must be told again.
        return any(
            getattr(hook, "__self__", None) is self
            for _, hook, _ in connection.run_on_commit
        )


_local = threading.local()


def _tell(scopes: set) -> None:
    if not connection.in_atomic_block:
        _replace(scopes)
        return
    pending = getattr(_local, "pending", None)
    if pending is None or not pending.is_registered():
        pending = _local.pending = _Pending()
        after_commit(pending.flush)
    pending.scopes |= scopes
    new = scopes - pending.fresh
    if new:
        pending.fresh |= new
        _replace(new)


def page_changed(
    meeting_id: int | None = None, *, delegation_ids=None, everything: bool = False
) -> None:
    """Make the pages of a meeting, of some delegations, or of every link, new.

    The signature of a dialogue.changes listener: delegation_ids=None means
    the whole meeting. Side effects: replaces version tokens in the cache.
    """
    if everything:
        _tell({GLOBAL})
    elif delegation_ids is None:
        if meeting_id is not None:
            _tell({("m", meeting_id)})
    else:
        _tell({("d", pk) for pk in delegation_ids if pk is not None})


def _scope_of(instance, *, deleted: bool) -> tuple[str, int]:
    kind, field = WATCHED[instance._meta.label]
    if "__" not in field:
        value = getattr(instance, field)
        if value is None and kind == "d" and hasattr(instance, "meeting_id"):
            return ("m", instance.meeting_id)  # a pack of the whole meeting
        return (kind, value) if value is not None else GLOBAL
    if deleted:
        return GLOBAL
    value = (
        type(instance)
        ._base_manager.filter(pk=instance.pk)
        .values_list(field, flat=True)
        .first()
    )
    return (kind, value) if value is not None else GLOBAL


def row_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a WATCHED model: its pages are new."""
    if kwargs.get("raw"):
        # loaddata: the rows a path leads to may not be loaded yet.
        _tell({GLOBAL})
        return
    _tell({_scope_of(instance, deleted="created" not in kwargs)})


def relation_changed(sender, instance, action, **kwargs) -> None:
    """m2m_changed (a session's invited delegations...): the instance's pages."""
    if action.startswith("post_") and instance._meta.label in WATCHED:
        _tell({_scope_of(instance, deleted=False)})


def connect() -> None:
    """Listen to the changes (DelegationsConfig.ready)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from dialogue.changes import (
        subscribe,
        subscribe_documents_made,
        subscribe_link_issued,
    )

    subscribe(page_changed)
    subscribe_link_issued(page_changed)
    subscribe_documents_made(page_changed)
    for label in WATCHED:
        post_save.connect(row_changed, sender=label, dispatch_uid=f"page:{label}")
        post_delete.connect(row_changed, sender=label, dispatch_uid=f"page-:{label}")
    m2m_changed.connect(relation_changed, dispatch_uid="page-relations")


# Reading and storing pages -------------------------------------------------


def cacheable(request) -> dict | None:
    """Return the normalised parameters of a request whose page may be kept
    (or served kept), else None.

    Only a GET whose query string holds nothing but the page's own parameters,
    each once (`page` a whole number above 0), with no flash message waiting
    (the page would show it), and only while PAGE_CACHE_SECONDS is above 0.
    """
    if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
        return None
    if any(name not in PAGE_PARAMETERS for name in request.GET):
        return None
    if any(len(request.GET.getlist(name)) > 1 for name in request.GET):
        return None
    parameters = {}
    page = request.GET.get("page")
    if page is not None:
        if not (page.isascii() and page.isdigit()) or int(page) < 1:
            return None
        parameters["page"] = int(page)
    if has_messages(request):
        return None
    return parameters


@dataclass
class Lookup:
    """A page looked up: its key, the versions current when it was looked up
    (the page rendered now is kept with them), and the kept page if it was
    rendered under those same versions."""

    key: str
    versions: tuple
    html: str | None


def look_up(link, lang: str, parameters: dict) -> Lookup:
    """Return the link's page as kept, or where to keep it: one get_many of
    the three versions and the page (one round trip to Redis).

    link: a delegations.selectors.PageLink. Read before the page is rendered,
    so that a change during the rendering leaves the page kept with versions
    that are no longer current: the next request renders it again.
    """
    scopes = (GLOBAL, ("m", link.meeting_id), ("d", link.delegation_id))
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.fresh.clear()  # a change after this read must be told again
    created = link.created_at.timestamp()
    page = parameters.get("page", "")
    key = f"{PREFIX}{link.pk}:{created:.6f}:{link.kind}:{lang}:{page}"
    versions = [_version_key(s) for s in scopes]
    found = cache.get_many([*versions, key])
    for name in versions:
        if name not in found:
            # First use, or evicted: a new token (an earlier one never returns).
            cache.add(name, _new_token(), timeout=None)
            found[name] = cache.get(name)
    current = tuple(found[name] for name in versions)
    kept = found.get(key)
    html = kept[1] if isinstance(kept, tuple) and kept[0] == current else None
    return Lookup(key, current, html)


def store_page(lookup: Lookup, html: str, *, fresh_until: float | None = None) -> None:
    """Keep a rendered page with the versions it was rendered under, for
    PAGE_CACHE_SECONDS or until a panel's content turns on the clock (a
    comment deadline passing), whichever is first."""
    timeout = settings.PAGE_CACHE_SECONDS
    if fresh_until is not None:
        timeout = min(timeout, int(fresh_until - time.time()))
    if timeout > 0:
        cache.set(lookup.key, (lookup.versions, html), timeout=timeout)


def with_csrf(html: str, request) -> str:
    """Return the page with this response's CSRF token in place of the
    placeholder (get_token also sets the cookie the token goes with)."""
    if CSRF_PLACEHOLDER not in html:
        return html
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


def has_messages(request) -> bool:
    """Whether a flash message waits for this request (without using it up)."""
    from django.contrib.messages import get_messages

    return len(get_messages(request)) > 0
