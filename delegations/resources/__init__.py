"""Import and export of delegates and flight legs (django-import-export).

Rows are written by the services (save_delegate checks the funded quota under a
row lock, the database trigger backs it; save_flight_leg validates the leg), all
inside one transaction: if any row is refused, nothing is written, in the admin
preview, on confirmation and through import_file() alike.

Every refusal is a RowProblem naming the row as a spreadsheet numbers it (the
header is row 1), the column and the rule, e.g. "Row 5, column funded: Kazakhstan
already has 3 funded delegate(s), ...".
"""

from dataclasses import dataclass, field

from import_export.results import Result, RowResult

from delegations.resources.cells import RowProblem
from delegations.resources.delegates import DelegateResource
from delegations.resources.flights import FlightLegResource
from delegations.spreadsheets import read_dataset
from dialogue.models import Meeting

__all__ = [
    "DelegateResource",
    "FlightLegResource",
    "ImportOutcome",
    "RowProblem",
    "import_dataset",
    "import_file",
]


RESOURCES = {"delegates": DelegateResource, "flights": FlightLegResource}


@dataclass
class ImportOutcome:
    """What an import did, or why it wrote nothing."""

    result: Result
    problems: list[RowProblem]
    dry_run: bool
    sample: list = field(default_factory=list)  # the first rows to be imported
    headers: list = field(default_factory=list)  # the file's columns, cleaned

    @property
    def counts(self) -> dict:
        """Return the rows that are (or, in a dry run, would be) new, updated
        and skipped."""
        totals = self.result.totals
        return {
            "new": totals[RowResult.IMPORT_TYPE_NEW],
            "update": totals[RowResult.IMPORT_TYPE_UPDATE],
            "skip": totals[RowResult.IMPORT_TYPE_SKIP],
        }

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> dict:
        if self.problems or self.dry_run:
            return {"new": 0, "update": 0}
        totals = self.result.totals
        return {
            "new": totals[RowResult.IMPORT_TYPE_NEW],
            "update": totals[RowResult.IMPORT_TYPE_UPDATE],
        }


def import_file(
    data: bytes,
    *,
    kind: str,
    file_format: str,
    meeting: Meeting | None = None,
    dry_run: bool = False,
    user=None,
    encoding: str = "detect",
) -> ImportOutcome:
    """Return the outcome of importing a CSV or XLSX file of delegates or flights.

    A CSV file is read in encoding ("utf-8-sig", "cp1251", or "detect").

    The same path as the admin's preview (dry_run) and confirmation. Side effects:
    writes every row through the services, or, if any row is refused (or dry_run),
    nothing. Raises delegations.spreadsheets.UnreadableFile for a file that
    cannot be read safely.
    """
    dataset = read_dataset(data, file_format, encoding)
    return import_dataset(
        dataset, kind=kind, meeting=meeting, dry_run=dry_run, user=user
    )


def import_dataset(
    dataset,
    *,
    kind: str,
    meeting: Meeting | None = None,
    dry_run: bool = False,
    user=None,
    progress=None,
    sample_rows: int = 0,
    abort_on: tuple = (),
) -> ImportOutcome:
    """Return the outcome of importing a dataset read by read_dataset.

    progress(done) is called after each row; sample_rows rows to be imported are
    kept for a preview; errors of the abort_on types propagate (nothing is
    written). Side effects: as import_file.
    """
    resource = RESOURCES[kind](
        meeting=meeting, progress=progress, sample_rows=sample_rows, abort_on=abort_on
    )
    result = resource.import_data(dataset, dry_run=dry_run, user=user)
    return ImportOutcome(
        result, result.problems, dry_run, resource.sample, resource.headers
    )
