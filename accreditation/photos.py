"""The check of a badge photo a focal point uploads.

Accepted when its bytes (not its name or the browser's type) open in Pillow as
a JPEG or a PNG, pass Pillow's verify, are within BADGE_PHOTO_MAX_BYTES and
no larger than MAX_PIXELS. What is stored is not the upload but a new JPEG
drawn from its pixels (at most 600 × 800, no metadata): nothing the sender
put around or inside the image (a script, an archive, the camera's GPS
position) reaches the badge or the disk.
"""

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
MIN_SIDE = 120  # smaller prints as a blur
STORED_SIZE = (600, 800)


def max_bytes() -> int:
    return getattr(settings, "BADGE_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)


def _refuse(message, code: str, **params):
    raise ValidationError({"photo": ValidationError(message, code=code, params=params)})


def normalised_photo(data: bytes) -> bytes:
    """Return the photo as a clean JPEG, or raise ValidationError (field
    "photo") saying why it is refused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    limit = max_bytes()
    if not data:
        _refuse(_("Choose a photo to upload."), "required")
    if len(data) > limit:
        _refuse(
            _("The photo is %(size)s KB; at most %(limit)s KB is accepted."),
            "too_large",
            size=(len(data) + 1023) // 1024,
            limit=limit // 1024,
        )
    wrong_type = _("A badge photo must be a JPEG or PNG image.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG"):
                _refuse(wrong_type, "type")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                _refuse(_("The photo has too many pixels."), "too_many_pixels")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if min(image.size) < MIN_SIDE:
                _refuse(
                    _("The photo is too small: at least %(min)s pixels on each side."),
                    "too_small",
                    min=MIN_SIDE,
                )
            image = image.convert("RGB")
            image.thumbnail(STORED_SIZE)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=88)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        _refuse(wrong_type, "type")
    except Image.DecompressionBombError:
        _refuse(_("The photo has too many pixels."), "too_many_pixels")
    return out.getvalue()


def random_name() -> str:
    return f"badge-photos/{secrets.token_hex(16)}.jpg"
