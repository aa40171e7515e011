"""The embedded font every PDF of the portal uses (packs, visa letters, the
declaration): static instances of the Noto Sans variable font shipped by the
fontpkg-noto-sans wheel, so Cyrillic renders the same on every machine, with no
system fonts.

PDF fetchers serve them under ``dialoguefont:<name>`` (dialogue/packs/fetcher.py,
declaration/pdf.py). The scheme has letters only, so that collectstatic's
manifest storage leaves the url() in pdf.css alone.
"""

import io
import os
from functools import cache
from pathlib import Path

from django.conf import settings

FONT_SCHEME = "dialoguefont:"


# name in pdf.css -> (variable font file, weight of the static instance)
FONT_INSTANCES = {
    "noto-sans-400.ttf": ("NotoSans[wdth,wght].ttf", 400),
    "noto-sans-700.ttf": ("NotoSans[wdth,wght].ttf", 700),
    "noto-sans-italic-400.ttf": ("NotoSans-Italic[wdth,wght].ttf", 400),
}


# Latin (with the extensions Turkmen, Uzbek and others need), Greek, Cyrillic,
# punctuation, currency and letter-like symbols: a smaller font to instantiate.
UNICODE_RANGES = [
    (0x20, 0x250),
    (0x370, 0x530),
    (0x1E00, 0x1F00),
    (0x2000, 0x2070),
    (0x20A0, 0x20C0),
    (0x2100, 0x2200),
]


def warm_fonts() -> None:
    """Build the static font instances now (a few seconds, once per machine)."""
    for name in FONT_INSTANCES:
        font_bytes(name)


def font_files() -> dict[str, Path]:
    """Return the variable font files of the fontpkg-noto-sans wheel by name."""
    import fontpkg_noto_sans

    folder = Path(fontpkg_noto_sans.__file__).resolve().parent / "files"
    return {name: folder / source for name, (source, _w) in FONT_INSTANCES.items()}


@cache
def font_bytes(name: str) -> bytes | None:
    """Return a static instance of the variable font (cached on disk and here).

    WeasyPrint would otherwise instantiate the variable font at every PDF write
    (a third of a pack's time); a static instance is only subset.
    """
    if name not in FONT_INSTANCES:
        return None
    source = font_files()[name]
    weight = FONT_INSTANCES[name][1]
    stamp = f"{source.stat().st_size}-{int(source.stat().st_mtime)}"
    cached = Path(settings.VAR_DIR) / "font-cache" / f"{stamp}-{name}"
    if cached.is_file():
        return cached.read_bytes()
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for a, b in UNICODE_RANGES for c in range(a, b)])
    subsetter.subset(font)
    instantiateVariableFont(
        font, {"wght": weight, "wdth": 100}, inplace=True, optimize=False
    )
    buffer = io.BytesIO()
    font.save(buffer)
    data = buffer.getvalue()
    cached.parent.mkdir(parents=True, exist_ok=True)
    temp = cached.with_suffix(f".{os.getpid()}.part")
    temp.write_bytes(data)
    os.replace(temp, cached)
    return data
