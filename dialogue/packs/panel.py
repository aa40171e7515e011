"""The participant-page panel offering the delegation's ready packs."""

from delegations.selectors import link_delegation
from dialogue.packs.models import Pack
from dialogue.packs.selectors import delegation_packs


def packs_panel(link, delegates, lang: str) -> dict | None:
    """Return the panel with the delegation's packs in EN, RU and bilingual.

    Each is the last file made, with its time; "updating" when an input changed
    since (or a render is queued), so the page says a newer one is on its way.

    One query; None (no panel) while no pack has been rendered.
    """
    packs = delegation_packs(link_delegation(link))
    if not packs:
        return None
    updating = any(
        pack.is_outdated or pack.status in (Pack.Status.QUEUED, Pack.Status.RENDERING)
        for pack in packs
    )
    return {
        "template": "packs/pack_panel.html",
        "packs": packs,
        "token": link.token,
        "updating": updating,
    }
