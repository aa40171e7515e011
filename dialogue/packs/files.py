"""Where pack files live under MEDIA_ROOT, and how a new one replaces the old."""

import os
import tempfile
from pathlib import Path

from django.conf import settings


def pack_relative_path(pack) -> str:
    """Return the pack's file path relative to MEDIA_ROOT (stable per pack)."""
    if pack.kind in ("manifest", "rooming", "transfers"):
        target = pack.delegation_id or "all"
        return (
            f"travel-lists/{pack.meeting_id}/"
            f"{pack.kind}-{target}-{pack.language}.{pack.file_format}"
        )
    if pack.kind == "badges":
        target = pack.delegation_id or "all"
        return f"badges/{pack.meeting_id}/badges-{target}.pdf"
    if pack.kind == "visa_letter":
        return f"visa-letters/{pack.meeting_id}/letter-{pack.delegate_id}.pdf"
    return f"packs/{pack.meeting_id}/pack-{pack.delegation_id}-{pack.language}.pdf"


def absolute(relative: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError("pack path escapes MEDIA_ROOT")
    return path


def write_atomically(relative: str, data: bytes) -> Path:
    """Write data to a temporary file beside the target, then rename it over.

    os.replace is atomic on one file system, so a reader sees the old file or
    the new one, never half of either. A crash leaves only a *.part file.
    """
    target = absolute(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o640)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
