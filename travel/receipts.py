"""Receipts and budget summaries kept out of every URL, and the upload check.

Files live under MEDIA_ROOT/private (0o700 folder, 0o600 files), under random
names; the storage has no URL at all, so a template cannot link one by
mistake. travel.admin streams a receipt to staff with the view_receipt
permission only.

An upload is accepted when its bytes (not its name or the browser's type) are
a PDF, a JPEG or a PNG, it is within TRAVEL_RECEIPT_MAX_BYTES, and it is not a
polyglot: a file that is also another format (HTML or script, a ZIP archive,
a PDF hidden in an image, data after an image's end) is refused.
"""

import io
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"
# What no receipt contains: markup a browser would run, an archive, a PDF inside
# an image.
FOREIGN = (b"<html", b"<script", b"<svg", b"<!doctype", b"<?php", b"pk\x03\x04")


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no URL."""

    def __init__(self):
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")

    @cached_property
    def location(self):
        return str(Path(self.base_location).resolve())

    def url(self, name):
        raise ValueError("Private files have no URL; a view streams them.")


def receipt_storage() -> PrivateStorage:
    return PrivateStorage()


def max_bytes() -> int:
    return getattr(settings, "TRAVEL_RECEIPT_MAX_BYTES", DEFAULT_MAX_BYTES)


def sniff(data: bytes) -> str | None:
    """Return the type the bytes begin as (PDF, JPEG, PNG), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(PNG_SIGNATURE):
        return PNG
    return None


def is_polyglot(data: bytes, kind: str) -> bool:
    """Return True if bytes that begin as `kind` also hold another format."""
    lowered = data.lower()
    if any(marker in lowered for marker in FOREIGN):
        return True
    if kind == PDF:
        # Nothing but whitespace after the last end-of-file marker.
        end = data.rfind(b"%%EOF")
        return end < 0 or data[end + 5 :].strip() != b""
    if b"%pdf-" in lowered:
        return True
    if kind == PNG:
        return not data.endswith(PNG_END)
    return not data.rstrip(b"\r\n\x00").endswith(b"\xff\xd9")  # JPEG's EOI


def _image_opens(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:
        return False
    return True


def check_size(size: int) -> None:
    """Raise ValidationError when a receipt of this many bytes is too large."""
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("The receipt is %(size)s KB; at most %(limit)s KB is accepted."),
            params={"size": (size + 1023) // 1024, "limit": limit // 1024},
            code="too_large",
        )


def check_receipt(data: bytes) -> str:
    """Return the receipt's content type, or raise ValidationError saying why not."""
    check_size(len(data))
    kind = sniff(data)
    if kind is None:
        raise ValidationError(
            _("A receipt must be a PDF, JPEG or PNG file."), code="type"
        )
    if is_polyglot(data, kind) or (kind != PDF and not _image_opens(data)):
        raise ValidationError(
            _(
                "This file is not a plain %(kind)s: it also holds another kind of "
                "content. Scan or export the receipt again."
            ),
            params={"kind": EXTENSIONS[kind].upper()},
            code="polyglot",
        )
    return kind


def random_name(folder: str, content_type: str) -> str:
    return f"{folder}/{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
