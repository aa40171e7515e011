"""The token in a badge's QR code.

It is the badge's random serial signed with the site's key (Django's signing,
salted for badges), so a forged or altered code fails to verify, and it holds
no personal data: a lost badge tells its finder nothing. Revocation lives in the
database (Badge.revoked_at), so the same token turns red the moment a badge is
revoked or its delegate withdrawn.
"""

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
