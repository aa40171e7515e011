"""Credentials: the focal point uploads the note verbale through its link, the
file is checked by its bytes and kept privately, and the secretariat approves
it for the delegates it names (they become accredited) or returns it."""

import io
import re
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accreditation.credentials import check_credentials_file
from accreditation.models import Credentials
from accreditation.services.credentials import (
    approve_credentials,
    compose_decision_email,
    return_credentials,
    submit_credentials,
)
from delegations.models import Delegate
from delegations.services import advance_accreditation, issue_itinerary_link
from dialogue.outbox.models import Email
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def note_verbale(text: str = "Note verbale No. 12/345") -> bytes:
    return weasyprint.HTML(
        string=f"<h1>{text}</h1><p>Нота Министерства иностранных дел</p>"
    ).write_pdf()


def with_javascript(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        action = pdf.make_indirect(
            pikepdf.Dictionary(
                S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
            )
        )
        pdf.Root.OpenAction = action
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def encrypted(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    return out.getvalue()


@pytest.fixture
def delegation(db):
    return DelegationFactory(
        country_code="TJ",
        name_en="Tajikistan",
        name_ru="Таджикистан",
        language="ru",
        focal_point_email="protocol@mfa.tj.example",
    )


@pytest.fixture
def secretary(db):
    user = get_user_model().objects.create_user("secretary", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def focal_page(delegation):
    return f"/l/{issue_itinerary_link(delegation).token}/credentials/"


def test_a_generated_note_verbale_passes_and_counts_its_pages():
    assert check_credentials_file(note_verbale()) == 1


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (PNG, "must be a PDF"),
        (b"", "must be a PDF"),
        (b"<html><body>%PDF-1.7</body></html>", "must be a PDF"),
        # A PDF with a page of markup after its end: a polyglot.
        (None, "not a plain PDF"),
        (b"%PDF-1.7\nnot really a pdf at all\n%%EOF\n", "damaged"),
    ],
    ids=["png", "empty", "html", "polyglot", "damaged"],
)
def test_what_is_not_a_plain_pdf_is_refused_by_its_bytes(data, says):
    if data is None:
        data = note_verbale() + b"\n<script>alert(1)</script>"
    with pytest.raises(ValidationError) as error:
        check_credentials_file(data)
    assert says in " ".join(error.value.messages)


def test_active_content_and_passwords_are_refused():
    with pytest.raises(ValidationError) as error:
        check_credentials_file(with_javascript(note_verbale()))
    assert "/JavaScript" in error.value.messages[0]
    assert "/OpenAction" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        check_credentials_file(encrypted(note_verbale()))
    assert "password" in error.value.messages[0]


def test_the_size_limit_is_a_setting(settings):
    settings.ACCREDITATION_CREDENTIALS_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        check_credentials_file(note_verbale())
    assert "at most 1 KB" in error.value.messages[0]


def test_the_focal_point_uploads_and_the_file_is_private(delegation, focal_page):
    data = note_verbale()
    client = Client()
    # The browser's name and type are not believed; the bytes are.
    upload = SimpleUploadedFile("C:\\Mission\\NV 12-345.pdf", data, "text/html")
    response = client.post(
        focal_page + "?lang=ru", {"kind": "note_verbale", "file": upload}
    )
    assert response.status_code == 302
    document = Credentials.objects.get()
    assert (document.delegation, document.original_name, document.pages) == (
        delegation,
        "NV 12-345.pdf",
        1,
    )
    stored = Path(document.file.path)
    assert stored.read_bytes() == data
    assert (
        stored.parent.name == "credentials" and stored.parent.parent.name == "private"
    )
    assert "NV" not in stored.name
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(ValueError):  # private storage has no URL
        _ = document.file.url
    page = client.get(focal_page + "?lang=ru").content.decode()
    assert "NV 12-345.pdf" in page and "получен" in page.lower()
    download = client.get(focal_page + f"{document.pk}/file/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == data
    # Never under the media URL.
    assert Client().get(f"/media/private/{document.file.name}").status_code == 404


def test_a_refused_upload_writes_no_row_and_no_file(delegation, focal_page, settings):
    folder = Path(settings.MEDIA_ROOT) / "private" / "credentials"
    before = set(folder.glob("*")) if folder.exists() else set()
    upload = SimpleUploadedFile("nv.pdf", with_javascript(note_verbale()))
    response = Client().post(
        focal_page + "?lang=en", {"kind": "note_verbale", "file": upload}
    )
    assert response.status_code == 400
    assert "active content" in response.content.decode()
    assert not Credentials.objects.exists()
    after = set(folder.glob("*")) if folder.exists() else set()
    assert after == before


def test_a_too_large_upload_is_refused_on_the_form_in_russian(
    delegation, focal_page, settings
):
    settings.ACCREDITATION_CREDENTIALS_MAX_BYTES = 2048
    upload = SimpleUploadedFile("nv.pdf", note_verbale() + b" " * 4096)
    response = Client().post(
        focal_page + "?lang=ru", {"kind": "note_verbale", "file": upload}
    )
    assert response.status_code == 400
    assert "не более 2 КБ" in response.content.decode()
    assert not Credentials.objects.exists()


def test_approval_accredits_the_delegates_it_names(
    delegation, secretary, django_capture_on_commit_callbacks
):
    minister = DelegateFactory(delegation=delegation, name_latin="Sirojiddin Muhriddin")
    adviser = DelegateFactory(delegation=delegation)
    later = DelegateFactory(delegation=delegation)
    advance_accreditation(later, "badge_printed")
    document = submit_credentials(
        delegation, kind="credentials", data=note_verbale(), name="credentials.pdf"
    )
    other = DelegateFactory()  # of another delegation
    with pytest.raises(ValidationError) as error:
        approve_credentials(document, reviewer=secretary, delegates=[minister, other])
    assert str(other) in error.value.message_dict["accredited"][0]
    assert Delegate.objects.get(pk=minister.pk).accreditation == "nominated"

    with django_capture_on_commit_callbacks(execute=True):
        approve_credentials(document, reviewer=secretary, delegates=[minister, later])
    statuses = dict(
        Delegate.objects.filter(delegation=delegation).values_list(
            "pk", "accreditation"
        )
    )
    assert statuses == {
        minister.pk: "accredited",
        adviser.pk: "nominated",  # not named on this document
        later.pk: "badge_printed",  # further on already: never back
    }
    document.refresh_from_db()
    assert document.status == "approved" and document.reviewed_by == secretary
    assert set(document.accredited.all()) == {minister, later}
    email = Email.objects.get(kind="credentials_decision", object_id=document.pk)
    assert (email.recipient, email.language) == ("protocol@mfa.tj.example", "ru")
    composed = compose_decision_email(document.pk)
    assert "одобрен" in composed.subject.lower()
    assert minister.name("ru") in composed.body
    with pytest.raises(ValidationError):  # reviewed once only
        return_credentials(document, reviewer=secretary, reason="Again")


def test_a_returned_document_keeps_its_reason(delegation, secretary):
    document = submit_credentials(
        delegation, kind="note_verbale", data=note_verbale(), name="nv.pdf"
    )
    with pytest.raises(ValidationError) as error:
        return_credentials(document, reviewer=secretary, reason=" ")
    assert "reason" in error.value.message_dict
    return_credentials(document, reviewer=secretary, reason="The note is not signed.")
    document.refresh_from_db()
    assert (document.status, document.reason) == ("returned", "The note is not signed.")
    assert "The note is not signed." in compose_decision_email(document.pk).body
    assert [h.status for h in document.history.order_by("history_date")] == [
        "received",
        "returned",
    ]


def test_the_secretariat_reviews_in_the_admin(delegation, secretary):
    minister = DelegateFactory(delegation=delegation)
    adviser = DelegateFactory(delegation=delegation)
    document = submit_credentials(
        delegation, kind="note_verbale", data=note_verbale(), name="nv.pdf"
    )
    client = Client()
    client.force_login(secretary)
    url = f"/admin/accreditation/credentials/{document.pk}/review/"
    page = client.get(url).content.decode()
    # Those still nominated come ticked.
    ticked = re.findall(
        r'<input type="checkbox" name="accredited" value="(\d+)"[^>]*checked', page
    )
    assert ticked == [str(minister.pk), str(adviser.pk)]
    assert f"/admin/accreditation/credentials/{document.pk}/file/" in page
    refused = client.post(url, {"approve": "1"})  # nobody ticked
    assert refused.status_code == 400
    assert "Tick the delegates" in refused.content.decode()
    done = client.post(url, {"approve": "1", "accredited": [minister.pk]})
    assert done.status_code == 302
    assert Delegate.objects.get(pk=minister.pk).accreditation == "accredited"
    assert Delegate.objects.get(pk=adviser.pk).accreditation == "nominated"
    opened = client.get(f"/admin/accreditation/credentials/{document.pk}/file/")
    assert b"".join(opened.streaming_content).startswith(b"%PDF-")


def test_the_decision_email_is_plain_text_not_html_escaped(delegation, secretary):
    delegation.focal_point_name = "A. O'Brien & Co"
    delegation.save()
    document = submit_credentials(
        delegation, kind="note_verbale", data=note_verbale(), name="NV d'été.pdf"
    )
    return_credentials(
        document, reviewer=secretary, reason='Sign it "in full" <page 2> & resend.'
    )
    body = compose_decision_email(document.pk).body
    assert "O'Brien & Co" in body and "NV d'été.pdf" in body
    assert 'Sign it "in full" <page 2> & resend.' in body
    assert "&amp;" not in body and "&#x27;" not in body
