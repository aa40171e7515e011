"""The donor export: one line per funded seat and cost line (CSV, XLSX).

Raw numbers and a currency column (no currency format), formula-safe through
delegations.spreadsheets like every export of the portal; every line carries
the budget line code of the meeting's rules.
"""

import tablib
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from delegations.spreadsheets import format_for
from dialogue.models import Meeting
from travel.selectors import budget, line_label

EXPORTS = ("csv", "xlsx")


def donor_dataset(meeting: Meeting | None) -> tablib.Dataset:
    """Return the export's table: one row per seat, cost line and currency."""
    report = budget(meeting)
    code = report.rules.budget_line_code if report.rules else ""
    dataset = tablib.Dataset(
        headers=[
            _("Budget line"),
            _("Meeting"),
            _("Delegation"),
            _("Delegate"),
            _("Cost line"),
            _("Currency"),
            _("Estimated"),
            _("Committed"),
            _("Paid"),
        ],
        title=_("Donor report")[:31],
    )
    slug = meeting.slug if meeting else ""
    for seat in report.seat_lines:
        dataset.append(
            [
                code,
                slug,
                seat.delegation,
                seat.delegate,
                line_label(seat.line),
                seat.currency,
                seat.estimated,
                seat.committed,
                seat.paid,
            ]
        )
    return dataset


def donor_export(meeting: Meeting | None, extension: str) -> HttpResponse:
    """Return the donor export as a CSV or XLSX download, formula-safe."""
    fmt = format_for(extension)
    dataset = donor_dataset(meeting)
    if fmt.is_binary():
        content = fmt.export_data(dataset)
    else:
        # The BOM lets Excel read the file as UTF-8.
        content = fmt.export_data(dataset).encode("utf-8-sig")
    response = HttpResponse(content, content_type=fmt.get_content_type())
    slug = meeting.slug if meeting else "none"
    response["Content-Disposition"] = (
        f'attachment; filename="travel-costs-{slug}.{fmt.get_extension()}"'
    )
    return response


def export_links(meeting: Meeting | None) -> list[dict]:
    query = f"?meeting={meeting.pk}" if meeting else ""
    return [
        {
            "url": reverse(f"admin:travel_budget_{extension}") + query,
            "label": extension.upper(),
        }
        for extension in EXPORTS
    ]
