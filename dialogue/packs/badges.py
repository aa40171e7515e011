"""The content of a badge sheet: every active badge of a delegation, or of the
meeting, one A6 card to a page (badge printers and card stock take A6).

Read through accreditation's selectors (accreditation.selectors.badges): the
cards are plain values, so their hash is the sheet's fingerprint. The QR code
(segno) and the photo are made into images only when the sheet is laid out;
the code holds the signed token alone, never a name.
"""

import io

from accreditation.selectors.badges import badge_cards, badge_photo_bytes
from dialogue.i18n import localized

INLINE = "dialogueinline:"


def badge_sheet_content(pack) -> dict:
    """Return the template context of a badge sheet (plain values)."""
    meeting = pack.meeting
    cards = badge_cards(pack.meeting_id, delegation_id=pack.delegation_id)
    for card in cards:
        card["qr_url"] = f"{INLINE}qr-{card['serial']}.svg"
        card["photo_url"] = (
            f"{INLINE}photo-{card['serial']}.jpg" if card["photo"] else ""
        )
    if pack.delegation_id:
        target_en, target_ru = pack.delegation.name_en, pack.delegation.name_ru
    else:
        target_en, target_ru = "All delegations", "Все делегации"
    meeting_en = localized(meeting, "short_title", "en")
    meeting_ru = localized(meeting, "short_title", "ru")
    return {
        "html_lang": "en",
        "start_page": 1,
        "doc_title": f"Badges / Бейджи: {target_en} / {target_ru}",
        "running": f"{meeting_en} / {meeting_ru}",
        "meeting_en": meeting_en,
        "meeting_ru": meeting_ru,
        "cards": cards,
        "empty": not cards,
    }


def qr_svg(token: str) -> bytes:
    """Return the QR code of a token as SVG (vector: sharp at any print size)."""
    import segno

    out = io.BytesIO()
    segno.make(token, error="m", micro=False).save(
        out, kind="svg", scale=1, border=4, xmldecl=False, dark="#000", light="#fff"
    )
    return out.getvalue()


def badge_images(content: dict) -> dict[str, tuple[bytes, str]]:
    """Return {inline URL: (bytes, type)}: each card's QR code and photo."""
    images = {}
    for card in content["cards"]:
        images[card["qr_url"]] = (qr_svg(card["token"]), "image/svg+xml")
        if card["photo_url"]:
            data = badge_photo_bytes(card["photo"])
            if data is not None:
                images[card["photo_url"]] = (data, "image/jpeg")
    return images
