"""The token in a badge's QR code, and the short code printed under it.

It is the badge's random serial signed with the site's key (Django's signing,
salted for badges), so a forged or altered code fails to verify, and it holds
no personal data: a lost badge tells its finder nothing. Revocation lives in the
database (Badge.revoked_at), so the same token turns red the moment a badge is
revoked or its delegate withdrawn.

The door code ("3F2A-91C0-7B4D") is what door staff type when the camera cannot
read the QR code: the first 48 bits of the random serial, which no one can
work out from a name. It is not signed, so it is accepted only on the door
page, by staff signed in with the check-in permission.
"""

import re
import uuid

from django.core import signing

from accreditation.models import Badge

_SALT = "dialogue.accreditation.badge"


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


def badge_token(badge: Badge) -> str:
    return _signer().sign(badge.serial.hex)


def badge_serial(token: str) -> uuid.UUID | None:
    """The serial a genuine token names, else None (tampered, foreign, junk)."""
    try:
        value = _signer().unsign(token.strip())
        return uuid.UUID(hex=value)
    except (signing.BadSignature, ValueError):
        return None


DOOR_CODE_LENGTH = 12  # hex digits of the serial: 48 random bits
_DOOR_CODE = re.compile(f"[0-9a-f]{{{DOOR_CODE_LENGTH}}}")


def door_code(badge: Badge) -> str:
    """The code printed under the QR code, in groups of four: "3F2A-91C0-7B4D"."""
    digits = badge.serial.hex[:DOOR_CODE_LENGTH].upper()
    return "-".join(digits[i : i + 4] for i in range(0, DOOR_CODE_LENGTH, 4))


def door_code_prefix(code: str) -> str | None:
    """The serial's text prefix a typed door code names ("3f2a91c0-7b4d"), or
    None if it is not one. Spaces, dashes and letter case do not matter."""
    digits = re.sub(r"[\s\-–—]", "", code or "").lower()
    if not _DOOR_CODE.fullmatch(digits):
        return None
    return f"{digits[:8]}-{digits[8:]}"  # as a UUID's text begins
