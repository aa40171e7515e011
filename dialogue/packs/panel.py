"""The participant-page panel offering the delegation's ready packs."""

from delegations.selectors import link_delegation
from dialogue.packs.models import Pack
from dialogue.packs.selectors import delegation_manifests, delegation_packs


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


def manifest_panel(link, delegates, lang: str) -> dict | None:
    """Return the focal point's panel with its delegation's arrivals and
    departures manifest (EN and RU PDF): only their delegation's lines.

    One query; None for a delegate's own link or while none is rendered.
    """
    if link.kind != "focal_point":
        return None
    packs = delegation_manifests(link.delegation)
    if not packs:
        return None
    return {
        "template": "packs/manifest_panel.html",
        "packs": packs,
        "token": link.token,
        "updating": any(
            p.is_outdated or p.status in (Pack.Status.QUEUED, Pack.Status.RENDERING)
            for p in packs
        ),
    }
