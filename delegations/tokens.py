"""Link tokens that a copy of the database cannot use.

A link's token (32 random bytes, in the URL) is never stored. The database
keeps its SHA-256 digest, to find the link a URL names, and the token sealed
with a key that lives in the settings (LINK_TOKEN_KEYS, else derived from
SECRET_KEY), so the mail merge and the emails can print an existing link again.
A dump of the table, or a backup, gives neither: the digest cannot be turned
back into the token, and the sealed token needs the key.

Keys rotate: the first key of LINK_TOKEN_KEYS seals new tokens; every key in
the list opens (cryptography's MultiFernet).
"""

import base64
import hashlib
import hmac
import secrets
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def digest_matches(token: str, digest: str) -> bool:
    """Compare a presented token with a stored digest in constant time."""
    return hmac.compare_digest(token_digest(token), digest)


def _fernet_key(secret: str) -> bytes:
    # A Fernet key is 32 url-safe base64 bytes; derive it from the secret so any
    # string works as LINK_TOKEN_KEYS or SECRET_KEY.
    derived = hashlib.sha256(f"dialogue.link-tokens:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(derived)


@cache
def _sealer(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def sealer() -> MultiFernet:
    keys = tuple(settings.LINK_TOKEN_KEYS) or (settings.SECRET_KEY,)
    return _sealer(keys)


def seal(token: str) -> str:
    return sealer().encrypt(token.encode()).decode()


def unseal(sealed: str) -> str | None:
    """Return the token, or None when no configured key opens it."""
    try:
        return sealer().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
