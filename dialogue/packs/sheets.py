"""The travel lists as XLSX workbooks (openpyxl).

The manifest is one sheet (a row per leg, with its date and airport first, so
the protocol can filter it); the rooming list has a sheet per hotel and the
transfer manifest a sheet per day, what each hotel and each day's transport
officer is handed. Text that a spreadsheet would read as a formula (=, +, -,
@ first) is written as text.
"""

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# Characters Excel refuses in a sheet's name, and its length limit.
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
FORMULA_START = ("=", "+", "-", "@")


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _sheet_title(text: str, taken: set[str]) -> str:
    base = SHEET_NAME.sub(" ", text).strip()[:31] or "Sheet"
    title, number = base, 2
    while title.casefold() in taken:
        suffix = f" ({number})"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title.casefold())
    return title


def _write(sheet, header: list[str], rows: list[list]) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([_safe(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        width = max(
            [len(str(title))] + [len(str(row[index - 1] or "")) for row in rows[:200]]
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, 8), 60
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if hasattr(cell.value, "year"):
                cell.number_format = "yyyy-mm-dd"


def workbook_bytes(content: dict) -> tuple[bytes, int]:
    """Return (XLSX bytes, number of sheets) of a travel list's content."""
    book = Workbook()
    book.remove(book.active)
    per_group = content["kind"] != "manifest"
    taken: set[str] = set()
    if per_group:
        for group in content["groups"] or [{"heading": "", "rows": []}]:
            sheet = book.create_sheet(_sheet_title(group["heading"], taken))
            _write(
                sheet,
                content["columns"],
                [row.get("values", row["cells"]) for row in group["rows"]],
            )
    else:
        sheet = book.create_sheet(_sheet_title(content["title"], taken))
        _write(
            sheet,
            content["key_columns"] + content["columns"],
            [
                group["keys"] + row.get("values", row["cells"])
                for group in content["groups"]
                for row in group["rows"]
            ],
        )
    book.properties.title = content["doc_title"]
    book.properties.language = content["lang"]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), len(book.worksheets)
