"""The participant-page panel offering the delegation's ready packs."""

from delegations.selectors import link_delegation
from dialogue.packs.selectors import delegation_packs


def packs_panel(link, delegates, lang: str) -> dict | None:
    """Return the panel with the delegation's packs in EN, RU and bilingual.

    One query; None (no panel) while no pack has been rendered.
    """
    packs = delegation_packs(link_delegation(link))
    if not packs:
        return None
    return {"template": "packs/pack_panel.html", "packs": packs, "token": link.token}
