"""Every document type of the 2017 meeting, rendered through the project's code.

private_media points MEDIA_ROOT at the test's folder; add_letterhead uploads
an emblem and a signature (made here with Pillow). The render_* helpers return
PDF bytes as staff and delegates download them.
"""

import datetime
import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from delegations.models import Delegate, Passport
from dialogue.packs.files import absolute
from dialogue.packs.models import Pack
from dialogue.packs.services import queue_visa_letter, render_pack

KZ = 1  # Kazakhstan, a delegation of the fixture


def png(size=(240, 240), *, signature=False) -> bytes:
    """Return a small PNG: an emblem (rings) or a signature (a stroke)."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    if signature:
        draw.line([(10, 60), (60, 20), (110, 70), (170, 25), (230, 55)], "navy", 6)
    else:
        draw.ellipse((10, 10, 230, 230), outline=(11, 60, 93), width=14)
        draw.ellipse((70, 70, 170, 170), fill=(11, 60, 93))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def private_media(settings, tmp_path):
    """Point MEDIA_ROOT at the test's own folder and return it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def add_letterhead(meeting):
    """Upload an emblem and the signatory's signature to the meeting."""
    meeting.logo.save("emblem.png", ContentFile(png()), save=False)
    meeting.signature.save(
        "signature.png", ContentFile(png((240, 80), signature=True)), save=False
    )
    meeting.save()
    return meeting


def render_briefing(meeting, language: str, delegation_id: int = KZ) -> bytes:
    pack = Pack.objects.create(
        meeting=meeting, delegation_id=delegation_id, language=language
    )
    assert render_pack(pack.pk) == "rendered"
    pack.refresh_from_db()
    return absolute(pack.file).read_bytes()


def letter_delegate(delegation_id: int = KZ) -> Delegate:
    delegate = Delegate.objects.filter(delegation_id=delegation_id, funded=True).first()
    Passport.objects.update_or_create(
        delegate=delegate,
        defaults={
            "number": "N12345678",
            "nationality": "KZ",
            "date_of_birth": datetime.date(1965, 3, 4),
            "expires_on": datetime.date(2027, 1, 1),
        },
    )
    return delegate


def render_visa_letter(delegate: Delegate) -> bytes:
    pack = queue_visa_letter(delegate, force=True)
    assert render_pack(pack.pk) == "rendered"
    pack.refresh_from_db()
    return absolute(pack.file).read_bytes()


def render_declaration(meeting, lang: str) -> bytes:
    from declaration.models import Version
    from declaration.pdf import render_version_pdf

    version = (
        Version.objects.filter(declaration__meeting=meeting)
        .exclude(status=Version.Status.DRAFT)
        .order_by("-number")
        .first()
    )
    return render_version_pdf(version, lang)
