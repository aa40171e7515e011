"""Spreadsheet files in and out: formula-safe exports, hardened XLSX reading, and
a private folder for files waiting between import preview and confirmation.

Exports neutralise every text cell that a spreadsheet would read as a formula
(one starting with = + - @ tab or CR) with a leading apostrophe; imports drop that
apostrophe again, so an exported file imports unchanged. django-import-export's own
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading "=", so we do not
rely on it.
"""

import io
import os
import re
import secrets
import time
import zipfile
from pathlib import Path

import openpyxl.xml
import tablib
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as defused_iterparse
from django.conf import settings
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from import_export.tmp_storages import BaseStorage

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# An XLSX file is a zip of XML parts; these bound what reading one may cost.
XLSX_MAX_MEMBERS = 200
XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_MAX_RATIO = 200
IMPORT_MAX_BYTES = 10 * 1024 * 1024


class UnreadableFile(ValueError):
    """An import file refused before any row is read; the message says why."""


def neutralise(value):
    """Return value with a leading apostrophe if a spreadsheet would run it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralise(value):
    """Return an imported cell without the apostrophe an export put in front."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:].startswith(FORMULA_PREFIXES)
    ):
        return value[1:]
    return value


def neutralise_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """Return a copy of the dataset with every cell and header neutralised."""
    safe = tablib.Dataset(headers=[neutralise(h) for h in dataset.headers or []])
    safe.title = dataset.title
    for row in dataset:
        safe.append([neutralise(cell) for cell in row])
    return safe


class SafeCSV(base_formats.CSV):
    """CSV whose export cannot carry a formula."""

    def export_data(self, dataset, **kwargs):
        return neutralise_dataset(dataset).export(self.get_title(), **kwargs)


def check_xlsx_archive(data: bytes) -> None:
    """Raise UnreadableFile unless data is a zip small enough to open safely."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFile(
            _("This is not an XLSX file. Choose the format that matches the file.")
        ) from None
    with archive:
        members = archive.infolist()
        total = sum(member.file_size for member in members)
        packed = sum(member.compress_size for member in members) or 1
        if (
            len(members) > XLSX_MAX_MEMBERS
            or total > XLSX_MAX_UNCOMPRESSED
            or total / packed > XLSX_MAX_RATIO
        ):
            raise UnreadableFile(
                _(
                    "The XLSX file unpacks to %(size)s MB, more than a list of "
                    "delegates needs; it was refused as a possible zip bomb."
                )
                % {"size": total // (1024 * 1024)}
            )
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                _refuse_xml_declarations(archive, member)


def _entities_refused() -> UnreadableFile:
    return UnreadableFile(
        _(
            "The XLSX file declares XML entities (a possible "
            "'billion laughs' attack); it was refused and nothing was "
            "imported."
        )
    )


def _refuse_xml_declarations(archive: zipfile.ZipFile, member: zipfile.ZipInfo):
    """Raise UnreadableFile if the part declares a DTD or entities.

    openpyxl reads some parts with lxml when it is installed (entities off, so
    no expansion, but the file is still hostile), others with defusedxml; this
    looks at every part the same way. A DTD can only come before the root
    element, so reading up to it is enough.
    """
    with archive.open(member) as part:
        try:
            for _event, _element in defused_iterparse(part, events=("start",)):
                break
        except DefusedXmlException:
            raise _entities_refused() from None


def _caused_by(exc: BaseException, kind: type) -> bool:
    """Return True if exc or an exception it was raised from is of the kind."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


class SafeXLSX(base_formats.XLSX):
    """XLSX read through defusedxml (no XML entities) and written formula-safe."""

    def create_dataset(self, in_stream):
        # openpyxl parses with defusedxml when it is installed, unless the
        # OPENPYXL_DEFUSEDXML environment variable turns it off: refuse then.
        if not openpyxl.xml.DEFUSEDXML:
            raise UnreadableFile(
                _("XLSX import is disabled: the XML parser is not hardened.")
            )
        check_xlsx_archive(in_stream)
        try:
            return super().create_dataset(in_stream)
        except Exception as exc:
            if not _caused_by(exc, DefusedXmlException):
                raise
            raise _entities_refused() from None

    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralise_dataset(dataset), **kwargs)


FORMATS = [SafeCSV, SafeXLSX]


def format_for(name: str):
    """Return the format instance for "csv" or "xlsx"."""
    for fmt in FORMATS:
        instance = fmt(encoding="utf-8-sig") if fmt is SafeCSV else fmt()
        if instance.get_extension() == name.lower():
            return instance
    raise ValueError(name)


# The encodings a CSV upload may be in: what Excel writes as "CSV UTF-8" (with a
# byte-order mark) or any UTF-8, and what a Russian-language Excel writes as
# plain "CSV" (Windows-1251).
CSV_ENCODINGS = ("utf-8-sig", "cp1251")
CYRILLIC = re.compile("[\u0400-\u04ff]")


def detect_csv_encoding(data: bytes) -> str:
    """Return the encoding of a CSV file: UTF-8 (a BOM or not) if the bytes are
    valid UTF-8, else Windows-1251 if they decode as it and hold Cyrillic.

    Valid UTF-8 is decided strictly (text in another 8-bit encoding with a
    letter outside ASCII practically never is); cp1251 decodes almost any bytes,
    hence the Cyrillic test. Anything else is reported as not UTF-8 text.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig"
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return "utf-8-sig"
    return "cp1251" if CYRILLIC.search(text) else "utf-8-sig"


def read_dataset(
    data: bytes, file_format: str, encoding: str = "utf-8-sig"
) -> tablib.Dataset:
    """Return the dataset of an uploaded file, or raise UnreadableFile."""
    if len(data) > IMPORT_MAX_BYTES:
        raise UnreadableFile(
            _("The file is larger than %(mb)s MB.")
            % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    fmt = format_for(file_format)
    if not fmt.is_binary():
        encoding = encoding or "utf-8-sig"
        if encoding == "detect":
            encoding = detect_csv_encoding(data)
        try:
            data = data.decode(encoding)
        except UnicodeDecodeError:
            if encoding == "cp1251":
                message = _(
                    "The CSV file is not Windows-1251 text. Choose another "
                    "encoding on the upload page, or save it as “CSV UTF-8”."
                )
            else:
                message = _(
                    "The CSV file is not UTF-8 text. If Excel saved it as plain "
                    "“CSV” in Russian, choose Windows-1251 on the upload page; or "
                    "save it as “CSV UTF-8”."
                )
            raise UnreadableFile(message) from None
    try:
        return fmt.create_dataset(data)
    except UnreadableFile:
        raise
    except Exception:
        raise UnreadableFile(
            _("The file could not be read as %(format)s.")
            % {"format": file_format.upper()}
        ) from None


# Files between preview and confirm ------------------------------------------

_NAME = re.compile(r"^[0-9a-f]{32}$")
# The progress log of an import job's phase, beside its file (no personal data).
_PROGRESS_NAME = re.compile(r"^[0-9a-f]{32}\.(preview|confirm)\.progress$")
TMP_MAX_AGE = 24 * 3600


def import_tmp_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "import-tmp"


class PrivateImportStorage(BaseStorage):
    """Keep an uploaded file under MEDIA_ROOT/import-tmp, readable by us only.

    The folder is 0o700 and each file 0o600. A name is 32 random hex digits, and
    anything else (a path, another name form) is refused, since the confirm form
    posts the name back. Files older than a day are removed on the next save,
    and by the workers' sweep (delegations.imports.sweep_import_files).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.name is not None and not _NAME.match(self.name):
            raise UnreadableFile(_("The import file is no longer available."))

    @staticmethod
    def folder() -> Path:
        folder = import_tmp_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        return folder

    def get_full_path(self) -> Path:
        return self.folder() / self.name

    def save(self, data):
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        self.sweep()
        self.name = secrets.token_hex(16)
        fd = os.open(self.get_full_path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)

    def read(self):
        try:
            data = self.get_full_path().read_bytes()
        except FileNotFoundError:
            raise UnreadableFile(_("The import file is no longer available.")) from None
        if "b" in self.read_mode:
            return data
        return data.decode(self.encoding or "utf-8")

    def remove(self):
        self.get_full_path().unlink(missing_ok=True)

    def exists(self) -> bool:
        return self.get_full_path().is_file()

    def sweep(self) -> None:
        sweep_import_tmp(lambda names: dict.fromkeys(names, True))


def upload_name(path: Path) -> str | None:
    """Return the upload a file of import-tmp belongs to (the upload's own name,
    or the one its progress log is named after); None for any other file."""
    if _NAME.match(path.name):
        return path.name
    if _PROGRESS_NAME.match(path.name):
        return path.name.split(".", 1)[0]
    return None


def sweep_import_tmp(jobs, *, grace: float = 0) -> int:
    """Remove the files of import-tmp that no import needs; return how many.

    jobs(names) returns, for each of the given upload names that has a job,
    whether the job still needs the file (waiting to be checked, previewed,
    importing, failed and retryable). The files of a job that no longer needs
    them (refused, imported) go now; those of an upload without a job once
    they are older than `grace` seconds (an upload is written just before its
    job commits); and every file once it is older than a day, needed or not (a
    preview nobody confirmed keeps names, emails and phones no longer than
    that).
    """
    folder = PrivateImportStorage.folder()
    now = time.time()
    found: dict[str, list[tuple[Path, float]]] = {}
    for path in folder.iterdir():
        name = upload_name(path)
        if name is not None:
            try:
                found.setdefault(name, []).append((path, path.stat().st_mtime))
            except FileNotFoundError:
                continue
    if not found:
        return 0
    needs = jobs(list(found))
    removed = 0
    for name, files in found.items():
        for path, mtime in files:
            age = now - mtime
            if name in needs:
                remove = not needs[name] or age > TMP_MAX_AGE
            else:
                remove = age >= grace or age > TMP_MAX_AGE
            if remove:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


class ProgressLog:
    """Rows done of one import phase, in a small file beside the uploaded one.

    The worker appends a "done total" line every so many rows; the web reads the
    last complete line. Why not the database: the import of a file is one
    transaction (a refused row must leave nothing written), so an UPDATE made
    inside it is invisible to the web until the end; one made through a second
    connection works on PostgreSQL but not on SQLite, where the import holds the
    only write lock (IMMEDIATE transactions) and the update would wait out the
    busy timeout and fail. Django's cache is per process here. The uploaded file
    already lives in MEDIA_ROOT/import-tmp, which web and workers must share,
    so a file beside it works on both databases and on several hosts.
    """

    def __init__(self, name: str, phase: str):
        if not _NAME.match(name) or phase not in ("preview", "confirm"):
            raise ValueError(name)
        self.path = import_tmp_dir() / f"{name}.{phase}.progress"

    def start(self, total: int) -> None:
        """Begin the log again at 0 of total rows."""
        PrivateImportStorage.folder()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(f"0 {total}\n")

    def report(self, done: int, total: int) -> None:
        # One short append per report: a reader sees whole lines, or the last
        # one still being written, which it ignores.
        with self.path.open("a") as file:
            file.write(f"{done} {total}\n")

    def entries(self) -> list[tuple[int, int]]:
        """Return every (done, total) written so far, oldest first."""
        try:
            lines = self.path.read_text().split("\n")
        except FileNotFoundError:
            return []
        entries = []
        for line in lines[:-1]:  # the last piece has no newline yet
            done, _space, total = line.partition(" ")
            if done.isdigit() and total.isdigit():
                entries.append((int(done), int(total)))
        return entries

    def last(self) -> tuple[int, int] | None:
        entries = self.entries()
        return entries[-1] if entries else None
