"""The focal points' comment form: the rules are add_comment's, shown on the
form with what the person typed kept."""

import datetime

import pytest

from declaration.forms import CommentForm
from declaration.models import Comment, Version
from declaration.selectors import version_paragraphs
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.factories import DelegationFactory

pytestmark = pytest.mark.django_db


def comment_form(version, **data) -> CommentForm:
    values = {
        "paragraph": version.paragraphs.get(position=3).pk,
        "kind": "proposal",
        "language": "en",
        "text": "Commit to cooperate very closely;",
        **data,
    }
    return CommentForm(
        values,
        version=version,
        paragraphs=version_paragraphs(version),
        lang="en",
        action="",
        meeting=version.declaration.meeting,
    )


@pytest.fixture
def declaration():
    return DeclarationFactory()


def test_comment_form_after_the_deadline_says_so_and_keeps_the_text(declaration):
    version = version_with_text(
        declaration,
        1,
        status="circulated",
        comment_deadline=datetime.datetime(2017, 6, 5, 13, 0, tzinfo=datetime.UTC),
    )
    form = comment_form(version, text="Too late, but kept")
    assert form.errors == {
        "__all__": [
            "The deadline for comments on version 1 passed on 5 June 2017, 18:00 "
            "Ashgabat time (UTC+5). Your text was not saved.",
            "It is kept below, so that you can send it to the secretariat by email.",
        ]
    }
    assert form["text"].value() == "Too late, but kept"


def test_comment_form_on_a_superseded_version_says_so(declaration):
    version = version_with_text(declaration, 1, status="superseded")
    form = comment_form(version)
    assert form.non_field_errors() == [
        "Version 1 is no longer open for comments: it is superseded. Your text "
        "was not saved.",
        "It is kept below.",
    ]


def test_comment_form_save_refused_when_superseded_meanwhile(declaration):
    version = version_with_text(declaration, 1, status="circulated")
    form = comment_form(version, text="Typed while v2 went out")
    assert form.is_valid()
    # A newer version was circulated between the check and the save.
    Version.objects.filter(pk=version.pk).update(status="superseded")
    comment = form.save(
        delegation=DelegationFactory(meeting=declaration.meeting), submitted_by="FP"
    )
    assert comment is None
    assert form.non_field_errors() == [
        "Version 1 is no longer open for comments: it is superseded. Your text "
        "was not saved.",
        "It is kept below.",
    ]
    assert form["text"].value() == "Typed while v2 went out"
    assert Comment.objects.count() == 0


def test_comment_form_save_sends_the_comment(declaration):
    version = version_with_text(declaration, 1, status="circulated")
    form = comment_form(version)
    assert form.is_valid()
    kz = DelegationFactory(meeting=declaration.meeting)
    comment = form.save(delegation=kz, submitted_by="Focal Point")
    assert (comment.delegation, comment.paragraph.position, comment.text) == (
        kz,
        3,
        "Commit to cooperate very closely;",
    )
