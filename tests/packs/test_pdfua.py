"""Every document type passes a PDF/UA-1 check done by libraries, not our asserts.

Two checkers, both on pikepdf (qpdf):

* `pdfua` runs its machine-checkable subset of PDF/UA-1 (ISO 14289-1):
  structure tree, MarkInfo, untagged content, /Lang, title and DisplayDocTitle,
  the PDF/UA identifier, Figure alt text, table headers. No ERROR may remain.
  Its one WARNING on our files is its table heuristic: it looks for /Scope or
  /Headers on the TH cells, while WeasyPrint gives every TD a /Headers array
  naming the IDs of its TH cells (the other way PDF/UA allows); `table_headers`
  below checks that association itself.
* `structure_problems` walks the file with pikepdf: every marked-content
  sequence with an MCID on every page is referenced from the StructTreeRoot's
  ParentTree and back from a structure element; the logo is a Figure with /Alt;
  every table has TH cells and every TD names existing TH IDs.

The checkers are shown to be sound on files that break each rule (an untagged
PDF, an image without alt text).
"""

import io
import tempfile
from collections import Counter

import pikepdf
import pytest
from pdfua import Severity, validate
from weasyprint import HTML

from dialogue.packs.fetcher import SafeURLFetcher
from tests.packs.documents import (
    add_letterhead,
    letter_delegate,
    png,
    private_media,
    render_briefing,
    render_declaration,
    render_visa_letter,
)

HEURISTIC_TABLE_RULE = "UA-15-003"


@pytest.fixture
def documents_media(settings, tmp_path):
    return private_media(settings, tmp_path)


@pytest.fixture
def letterhead(ashgabat, documents_media):
    """The 2017 meeting with its emblem and signature uploaded."""
    return add_letterhead(ashgabat)


def pdfua_findings(data: bytes) -> list[tuple[str, str, str]]:
    """Return pdfua's ERROR findings, and any WARNING but its table heuristic."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        report = validate(file.name)
    return [
        (f.rule_id, f.severity.name, f.message)
        for f in report.findings
        if f.severity == Severity.ERROR
        or (f.severity == Severity.WARNING and f.rule_id != HEURISTIC_TABLE_RULE)
    ]


def _elements(node, seen=None):
    """Yield every structure element under node (depth first)."""
    seen = seen if seen is not None else set()
    kids = node.get("/K")
    if kids is None:
        return
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            key = kid.objgen
            if key in seen:
                continue
            seen.add(key)
            yield kid
            yield from _elements(kid, seen)


def _page_mcids(pdf: pikepdf.Pdf, page) -> list[int]:
    mcids = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if operator == pikepdf.Operator("BDC") and len(operands) == 2:
            properties = operands[1]
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                mcids.append(int(properties["/MCID"]))
    return mcids


def _parent_tree(root) -> dict[int, object]:
    numbers = {}

    def walk(node):
        if "/Nums" in node:
            nums = node["/Nums"]
            for index in range(0, len(nums), 2):
                numbers[int(nums[index])] = nums[index + 1]
        for kid in node.get("/Kids", []):
            walk(kid)

    walk(root["/ParentTree"])
    return numbers


def structure_problems(data: bytes, *, figures: int = 0) -> list[str]:
    """Return what breaks the PDF/UA rules we hold our files to (empty: none)."""
    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        catalog = pdf.Root
        if "/StructTreeRoot" not in catalog:
            return ["no StructTreeRoot"]
        root = catalog.StructTreeRoot
        if not str(catalog.get("/Lang", "")):
            problems.append("no /Lang")
        if not str(pdf.docinfo.get("/Title", "")):
            problems.append("no title")
        viewer = catalog.get("/ViewerPreferences", {})
        if not bool(viewer.get("/DisplayDocTitle", False)):
            problems.append("DisplayDocTitle is not true")
        if not bool(catalog.get("/MarkInfo", {}).get("/Marked", False)):
            problems.append("MarkInfo /Marked is not true")

        parents = _parent_tree(root)
        for number, page in enumerate(pdf.pages, start=1):
            mcids = _page_mcids(pdf, page)
            if not mcids:
                problems.append(f"page {number}: no tagged content")
                continue
            key = page.obj.get("/StructParents")
            if key is None or int(key) not in parents:
                problems.append(f"page {number}: not in the ParentTree")
                continue
            entries = parents[int(key)]
            for mcid in mcids:
                if mcid >= len(entries) or "/S" not in entries[mcid]:
                    problems.append(f"page {number}: MCID {mcid} has no element")

        elements = list(_elements(root))
        roles = Counter(str(e["/S"]) for e in elements)
        for element in elements:
            if str(element["/S"]) == "/Figure" and not str(element.get("/Alt", "")):
                problems.append("a Figure without /Alt")
        if roles["/Figure"] != figures:
            problems.append(f"{roles['/Figure']} figures, expected {figures}")
        problems += table_headers(elements)
    return problems


def table_headers(elements) -> list[str]:
    """Return tables without TH cells, and TD cells naming no existing TH."""
    problems = []
    header_ids = {
        bytes(e["/ID"]) for e in elements if str(e["/S"]) == "/TH" and "/ID" in e
    }
    for table in (e for e in elements if str(e["/S"]) == "/Table"):
        cells = [e for e in _elements(table) if str(e["/S"]) in ("/TH", "/TD")]
        if cells and not any(str(c["/S"]) == "/TH" for c in cells):
            problems.append("a table without header cells")
        for cell in cells:
            if str(cell["/S"]) != "/TD":
                continue
            headers = cell.get("/A", {}).get("/Headers", [])
            if any(bytes(h) not in header_ids for h in headers):
                problems.append("a TD naming a header that does not exist")
    return problems


# The checkers are sound -----------------------------------------------------


def test_checkers_refuse_an_untagged_pdf():
    data = HTML(string="<html><body><p>Text</p></body></html>").write_pdf()
    assert {rule for rule, _s, _m in pdfua_findings(data)} >= {"UA-01-005"}
    assert structure_problems(data) == ["no StructTreeRoot"]


def test_checkers_refuse_an_image_without_alt_text(documents_media):
    (documents_media / "meetings").mkdir(parents=True)
    (documents_media / "meetings" / "x.png").write_bytes(png())
    html = (
        "<html lang=en><head><title>T</title></head><body><p>Text</p>"
        '<img src="dialoguemedia:meetings/x.png"></body></html>'
    )
    data = HTML(string=html, url_fetcher=SafeURLFetcher()).write_pdf(
        pdf_variant="pdf/ua-1"
    )
    assert "UA-13-004" in {rule for rule, _s, _m in pdfua_findings(data)}
    assert "a Figure without /Alt" in structure_problems(data, figures=1)


# Every document type ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "bilingual"])
def test_briefing_pack_passes(letterhead, language):
    data = render_briefing(letterhead, language)
    assert pdfua_findings(data) == []
    assert structure_problems(data, figures=1) == []  # the emblem on the cover


@pytest.mark.django_db
def test_visa_letter_passes(letterhead):
    data = render_visa_letter(letter_delegate())
    assert pdfua_findings(data) == []
    assert structure_problems(data, figures=3) == []  # emblem, two signatures


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_declaration_pdf_passes(letterhead, lang):
    data = render_declaration(letterhead, lang)
    assert pdfua_findings(data) == []
    assert structure_problems(data, figures=1) == []
