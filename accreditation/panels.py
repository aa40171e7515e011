"""The focal point's panel on the link page: nominate, replace, withdraw, and
the requests sent with the secretariat's answers."""

from accreditation.selectors.credentials import credentials_of_delegation
from accreditation.selectors.nominations import pending_targets, requests_of_delegation


def nominations_panel(link, delegates, lang: str) -> dict | None:
    """Return the panel for a focal point's link (None for a delegate's own).

    One query: the delegation's latest requests and every one waiting.
    """
    if link.kind != "focal_point":
        return None
    requests = requests_of_delegation(link.delegation)
    waiting = pending_targets(requests)
    return {
        "template": "accreditation/nominations/panel.html",
        "token": link.token,
        "requests": requests,
        "people": [
            {"delegate": d, "name": d.name(lang), "waiting": d.pk in waiting}
            for d in delegates
        ],
    }


def credentials_panel(link, delegates, lang: str) -> dict | None:
    """Return the credentials panel for a focal point's link. One query."""
    if link.kind != "focal_point":
        return None
    return {
        "template": "accreditation/credentials/panel.html",
        "token": link.token,
        "documents": credentials_of_delegation(link.delegation, limit=5),
    }
