"""The check a credentials upload passes before it is kept.

A note verbale or letter of credentials is accepted when its bytes (not its
name or the browser's type) are a PDF that opens, it is within
ACCREDITATION_CREDENTIALS_MAX_BYTES, it is not a polyglot (travel.receipts
says what that means), and it carries no active content: no JavaScript, no
action that runs on opening or launches a program, no embedded file, no
encryption that would keep the secretariat from reading it.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from travel.receipts import PDF, is_polyglot, sniff

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Names whose presence anywhere in the file means it would act when opened.
ACTIVE = ("/JavaScript", "/JS", "/Launch", "/OpenAction", "/AA", "/EmbeddedFile")


def max_bytes() -> int:
    return getattr(settings, "ACCREDITATION_CREDENTIALS_MAX_BYTES", DEFAULT_MAX_BYTES)


def check_size(size: int) -> None:
    """Raise ValidationError when an upload of this many bytes is too large
    (called before the file is read into memory)."""
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s KB; at most %(limit)s KB is accepted."),
            params={"size": (size + 1023) // 1024, "limit": limit // 1024},
            code="too_large",
        )


def check_credentials_file(data: bytes) -> int:
    """Return the PDF's number of pages, or raise ValidationError saying why not."""
    check_size(len(data))
    if not data or sniff(data) != PDF:
        raise ValidationError(
            _("The note verbale or credentials must be a PDF file."), code="type"
        )
    if is_polyglot(data, PDF):
        raise ValidationError(
            _(
                "This file is not a plain PDF: it also holds another kind of "
                "content. Export or scan the document to PDF again."
            ),
            code="polyglot",
        )
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            encrypted = pdf.is_encrypted
            pages = len(pdf.pages)
            active = _active_content(pdf)
    except pikepdf.PasswordError:
        encrypted = True
    except pikepdf.PdfError:
        raise ValidationError(
            _("The PDF is damaged and cannot be opened. Export it again."),
            code="damaged",
        ) from None
    if encrypted:
        raise ValidationError(
            _("The PDF is protected by a password; upload it without one."),
            code="encrypted",
        )
    if active:
        raise ValidationError(
            _(
                "The PDF carries active content (%(names)s). Print it to PDF, "
                "or scan the signed document, and upload that."
            ),
            params={"names": ", ".join(active)},
            code="active",
        )
    if pages == 0:
        raise ValidationError(_("The PDF has no pages."), code="empty")
    return pages


def _active_content(pdf) -> list[str]:
    """Return the active-content names the PDF's objects use, in ACTIVE's order."""
    import pikepdf

    found = set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary):
            found.update(set(obj.keys()) & set(ACTIVE))
            if obj.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
                found.add(str(obj.get("/S")))
    return [name for name in ACTIVE if name in found] + sorted(found - set(ACTIVE))
