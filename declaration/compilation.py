"""The compilation of comments as files: a tagged PDF/UA-1 per language
(WeasyPrint, the declaration PDF's fetcher and embedded font) and a workbook
with one sheet per language (openpyxl).

Files live under MEDIA_ROOT/compilations/<meeting>/ and are served only by the
admin and link views that check access. Each is written to a temporary file
beside it and renamed over the old one, so a reader never gets half a file.
"""

import io
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from weasyprint import HTML

from declaration.models import Compilation, Version
from declaration.pdf import RefuseAllFetcher, letterhead
from declaration.selectors import CompilationGroup
from dialogue.timefmt import format_datetime

CONTENT_TYPES = {
    "pdf_en": "application/pdf",
    "pdf_ru": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def relative_path(version: Version, name: str) -> str:
    """Return where a file of the version's compilation lives under MEDIA_ROOT."""
    extension = "xlsx" if name == "xlsx" else "pdf"
    suffix = "" if name == "xlsx" else f"-{name[-2:]}"
    return (
        f"compilations/{version.declaration.meeting_id}/"
        f"compilation-{version.pk}{suffix}.{extension}"
    )


def absolute(relative: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError("compilation path escapes MEDIA_ROOT")
    return path


def write_atomically(relative: str, data: bytes) -> None:
    """Write data beside the target, then rename it over (atomic on one disk)."""
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


def download_name(version: Version, name: str) -> str:
    extension = "xlsx" if name == "xlsx" else "pdf"
    suffix = "" if name == "xlsx" else f"-{name[-2:]}"
    return (
        f"comments-declaration-{version.declaration_id}-v{version.number}"
        f"{suffix}.{extension}"
    )


def render_html(version: Version, groups: list[CompilationGroup], lang: str) -> str:
    """Return the HTML the compilation's PDF in lang is made from."""
    declaration = version.declaration
    meeting = declaration.meeting
    with translation.override(lang):
        return render_to_string(
            "declaration/pdf/compilation.html",
            {
                "version": version,
                "title": declaration.title(lang),
                "meeting_title": meeting.title(lang),
                "letterhead": letterhead(meeting, lang),
                "groups": groups,
                "total": sum(len(g.rows) for g in groups),
                "made": format_datetime(timezone.now(), meeting),
                "lang": lang,
            },
        )


def render_pdf(version: Version, groups: list[CompilationGroup], lang: str) -> bytes:
    """Return the compilation in one language as a tagged PDF/UA-1 file."""
    return HTML(
        string=render_html(version, groups, lang),
        base_url=None,
        url_fetcher=RefuseAllFetcher(),
    ).write_pdf(pdf_variant="pdf/ua-1")


XLSX_COLUMNS = (
    ("paragraph", 9),
    ("text", 60),
    ("reference", 10),
    ("delegation", 18),
    ("kind", 18),
    ("what", 24),
    ("language", 9),
    ("comment", 60),
    ("status", 26),
    ("reply", 40),
)


def xlsx_headers() -> list[str]:
    """Return the sheet's column headers in the active language."""
    return [
        gettext("Paragraph"),
        gettext("Current text"),
        pgettext("comment", "Reference"),
        gettext("Delegation"),
        gettext("Kind"),
        gettext("Proposed change"),
        gettext("Language"),
        gettext("Comment or proposal"),
        gettext("Status"),
        gettext("Drafters' reply"),
    ]


def render_xlsx(version: Version, by_lang: dict[str, list[CompilationGroup]]) -> bytes:
    """Return the compilation as a workbook: one sheet per language, one row
    per comment (a paragraph without comments has a row of its own), the
    header row frozen and filtered."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for lang, groups in by_lang.items():
        with translation.override(lang):
            sheet = workbook.create_sheet(
                gettext("Comments v%(number)s") % {"number": version.number}
            )
            sheet.append(xlsx_headers())
            for group in groups:
                text = f"{group.number}. {group.text}" if group.number else group.text
                if not group.rows:
                    sheet.append([group.label, text] + [""] * 8)
                for row in group.rows:
                    sheet.append(
                        [
                            group.label,
                            text,
                            row.reference,
                            row.delegation,
                            row.kind,
                            row.summary,
                            row.language.upper(),
                            row.text,
                            row.status,
                            row.reply,
                        ]
                    )
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, (_name, width) in enumerate(XLSX_COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_path(compilation: Compilation, name: str) -> Path | None:
    """Return the file of the compilation on disk, or None when not made."""
    relative = getattr(compilation, name, "")
    if not relative:
        return None
    path = absolute(relative)
    return path if path.exists() else None
