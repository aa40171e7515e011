"""The fingerprint of a pack: a hash of everything that goes into it.

It covers the content dicts (see content.py), the kind and language of the
document, and the template version: the PDF templates, pdf.css, the Russian
catalogue (labels), the font and the WeasyPrint version. An unchanged
fingerprint means the file on disk is what a new render would produce.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

import weasyprint
from django.conf import settings

# Bump when the rendering code changes what a pack looks like.
RENDER_FORMAT = "packs-1"


def _version_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    files = sorted((base / "templates" / "pdf").rglob("*.html"))
    files.append(base / "static" / "css" / "pdf.css")
    files.append(base / "locale" / "ru" / "LC_MESSAGES" / "django.po")
    return files


@cache
def template_version() -> str:
    """Return a short hash of the templates, stylesheet, labels and renderer."""
    from dialogue.fonts import font_files

    digest = hashlib.sha256(f"{RENDER_FORMAT}|{weasyprint.__version__}".encode())
    for path in _version_files():
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for name, path in sorted(font_files().items()):
        digest.update(f"{name}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def fingerprint(*parts) -> str:
    """Return the SHA-256 of the parts (JSON-able) and the template version."""
    payload = json.dumps(
        [template_version(), *parts], sort_keys=True, default=str, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()
