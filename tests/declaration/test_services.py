"""Drafts, optimistic locking, circulation records, comments and adoption."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from declaration.models import Circulation, Comment, Paragraph, Version, VersionFrozen
from declaration.services import (
    EditConflict,
    ParagraphText,
    add_comment,
    circulate_version,
    record_adoption,
    record_version_opened,
    save_draft,
    snapshot,
    start_draft,
)
from dialogue.outbox.models import Email
from dialogue.outbox.services import resend_emails
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.factories import DelegationFactory

IN_TEN_DAYS = datetime.timedelta(days=10)


@pytest.fixture
def drafter(db):
    return get_user_model().objects.create_user("anna", password=None, is_staff=True)


@pytest.fixture
def declaration(db):
    return DeclarationFactory()


def texts(version):
    return [(t.kind, t.text_en, t.text_ru) for t in snapshot(version)]


def test_start_draft_copies_latest_version(declaration, drafter):
    v1 = version_with_text(declaration, 1, status="circulated")
    draft = start_draft(declaration, by=drafter)
    assert (draft.number, draft.status, draft.author, draft.author_name) == (
        2,
        "draft",
        drafter,
        "anna",
    )
    assert texts(draft) == texts(v1)
    assert start_draft(declaration, by=drafter) == draft  # one draft at a time


def test_start_draft_first_version_is_empty(declaration):
    draft = start_draft(declaration)
    assert (draft.number, draft.paragraphs.count()) == (1, 0)


def test_save_draft_updates_by_position_and_records_history(declaration, drafter):
    draft = version_with_text(declaration, 1)
    kept = draft.paragraphs.get(position=1)
    save_draft(
        draft,
        lock_version=0,
        paragraphs=[
            ParagraphText("preambular", "Recalling the Global Strategy,", "ссылаясь,"),
            ParagraphText("operative", "Commit to act;", "обязуемся действовать;"),
        ],
        by=drafter,
    )
    draft.refresh_from_db()
    assert draft.lock_version == 1
    assert texts(draft) == [
        ("preambular", "Recalling the Global Strategy,", "ссылаясь,"),
        ("operative", "Commit to act;", "обязуемся действовать;"),
    ]
    assert draft.paragraphs.get(position=1).pk == kept.pk
    changes = Paragraph.history.filter(version_id=draft.pk, history_user=drafter)
    assert sorted(changes.values_list("history_type", "position")) == [
        ("-", 3),
        ("-", 4),
        ("~", 1),
        ("~", 2),
    ]
    assert draft.history.first().history_user == drafter


def test_save_draft_second_save_from_same_start_is_refused(declaration, drafter):
    draft = version_with_text(declaration, 1)
    start = draft.lock_version
    first = [ParagraphText("operative", "First drafter's text;", "Текст первого;")]
    second = [ParagraphText("operative", "Second drafter's text;", "Текст второго;")]
    save_draft(draft, lock_version=start, paragraphs=first, by=drafter)
    with pytest.raises(EditConflict) as conflict:
        save_draft(draft, lock_version=start, paragraphs=second)
    assert conflict.value.version.lock_version == start + 1
    assert texts(draft) == [("operative", "First drafter's text;", "Текст первого;")]
    # Having seen the first drafter's change, the second saves on top of it.
    save_draft(draft, lock_version=start + 1, paragraphs=second)
    assert texts(draft) == [("operative", "Second drafter's text;", "Текст второго;")]


def test_save_draft_refuses_circulated_version(declaration):
    version = version_with_text(declaration, 1, status="circulated")
    with pytest.raises(VersionFrozen):
        save_draft(
            version, lock_version=0, paragraphs=[ParagraphText("operative", "x", "x")]
        )
    assert len(texts(version)) == 4


def test_save_draft_refuses_preambular_after_operative(declaration):
    draft = version_with_text(declaration, 1)
    with pytest.raises(ValidationError) as error:
        save_draft(
            draft,
            lock_version=0,
            paragraphs=[
                ParagraphText("operative", "Commit;", "обязуемся;"),
                ParagraphText("preambular", "Recalling,", "ссылаясь,"),
            ],
        )
    assert error.value.messages == [
        "Paragraph 2 is preambular but follows operative paragraph 1: preambular "
        "paragraphs come first."
    ]


def test_circulate_version_supersedes_previous_and_records_circulation(
    declaration, drafter, django_capture_on_commit_callbacks
):
    meeting = declaration.meeting
    kz = DelegationFactory(meeting=meeting, country_code="KZ", language="ru")
    eu = DelegationFactory(
        meeting=meeting, kind="observer", country_code="", language="en"
    )
    DelegationFactory(meeting=meeting, kind="organiser", country_code="")
    v1 = version_with_text(declaration, 1, status="circulated")
    v2 = version_with_text(declaration, 2)
    deadline = timezone.now() + IN_TEN_DAYS
    with django_capture_on_commit_callbacks() as callbacks:
        circulate_version(v2, deadline=deadline, by=drafter)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status, v2.comment_deadline) == (
        "superseded",
        "circulated",
        deadline,
    )
    rows = Circulation.objects.filter(version=v2).order_by("delegation_id")
    assert [(r.delegation, r.email, r.sent_at, r.first_opened_at) for r in rows] == [
        (kz, kz.focal_point_email, None, None),
        (eu, eu.focal_point_email, None, None),
    ]
    assert len(callbacks) == 2  # one email task per delegation, after commit


def test_circulate_version_refuses_missing_russian(declaration):
    draft = version_with_text(
        declaration, 1, text=[("operative", "Commit to act;", "")]
    )
    with pytest.raises(ValidationError) as error:
        circulate_version(draft, deadline=timezone.now() + IN_TEN_DAYS)
    assert error.value.messages == [
        "Paragraphs without both English and Russian text: OP1."
    ]


def test_circulate_version_refuses_past_deadline(declaration):
    draft = version_with_text(declaration, 1)
    with pytest.raises(ValidationError):
        circulate_version(draft, deadline=timezone.now() - IN_TEN_DAYS)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_circulation_task_emails_focal_point_in_delegation_language(
    declaration, mailoutbox, django_capture_on_commit_callbacks, eager_celery
):
    kz = DelegationFactory(
        meeting=declaration.meeting,
        country_code="KZ",
        language="ru",
        focal_point_name="Айгерим Бекова",
    )
    eu = DelegationFactory(
        meeting=declaration.meeting,
        kind="observer",
        country_code="",
        language="en",
        focal_point_name="Claire Martin",
    )
    silent = DelegationFactory(
        meeting=declaration.meeting, country_code="TJ", focal_point_email=""
    )
    draft = version_with_text(declaration, 1)
    with django_capture_on_commit_callbacks(execute=True):
        circulate_version(draft, deadline=timezone.now() + IN_TEN_DAYS)
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_recipient) == sorted([kz.focal_point_email, eu.focal_point_email])
    russian = by_recipient[kz.focal_point_email]
    english = by_recipient[eu.focal_point_email]
    assert (
        russian.subject == f"{declaration.title_ru}: версия 1 направлена для замечаний"
    )
    assert "Уважаемый(-ая) Айгерим Бекова!" in russian.body
    assert (
        english.subject == f"{declaration.title_en}: version 1 circulated for comments"
    )
    link = kz.links.get(revoked_at__isnull=True)
    assert f"/l/{link.token}/?lang=ru#declaration" in russian.body
    rows = {r.delegation_id: r for r in Circulation.objects.filter(version=draft)}
    assert rows[kz.pk].sent_at is not None
    assert rows[silent.pk].sent_at is None
    emails = Email.objects.filter(kind="circulation").order_by("recipient")
    assert [(e.recipient, e.language, e.status, e.attempts) for e in emails] == sorted(
        [
            (kz.focal_point_email, "ru", "sent", 1),
            (eu.focal_point_email, "en", "sent", 1),
        ]
    )
    # Resending what was sent does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_emails(list(emails)) == 0
    assert len(mailoutbox) == 2


def test_record_version_opened_sets_first_time_only(declaration):
    kz = DelegationFactory(meeting=declaration.meeting)
    version = version_with_text(declaration, 1, status="circulated")
    row = Circulation.objects.create(version=version, delegation=kz)
    assert record_version_opened([version.pk], delegation=kz) == 1
    row.refresh_from_db()
    first = row.first_opened_at
    assert first is not None
    assert record_version_opened([version.pk], delegation=kz) == 0
    row.refresh_from_db()
    assert row.first_opened_at == first


@pytest.fixture
def open_version(declaration):
    return version_with_text(declaration, 1, status="circulated")


def comment(version, delegation, **overrides):
    values = {
        "paragraph_id": version.paragraphs.get(position=3).pk,
        "kind": "proposal",
        "language": "ru",
        "text": "  обязуемся тесно и последовательно сотрудничать;  ",
    }
    values.update(overrides)
    return add_comment(version, delegation=delegation, **values)


def test_add_comment_before_deadline(open_version):
    kz = DelegationFactory(meeting=open_version.declaration.meeting)
    saved = comment(open_version, kz)
    assert (saved.version, saved.delegation, saved.kind, saved.text) == (
        open_version,
        kz,
        "proposal",
        "обязуемся тесно и последовательно сотрудничать;",
    )


def test_add_comment_after_deadline_is_refused(declaration):
    version = version_with_text(
        declaration,
        1,
        status="circulated",
        comment_deadline=datetime.datetime(2017, 6, 5, 13, 0, tzinfo=datetime.UTC),
    )
    kz = DelegationFactory(meeting=declaration.meeting)
    with pytest.raises(ValidationError) as error:
        comment(version, kz)
    assert error.value.messages == [
        "The deadline for comments on version 1 passed on 5 June 2017, 18:00 "
        "Ashgabat time (UTC+5). Your text was not saved."
    ]
    assert Comment.objects.count() == 0


def test_add_comment_refuses_paragraph_of_another_version(open_version):
    other = version_with_text(open_version.declaration, 2)
    kz = DelegationFactory(meeting=open_version.declaration.meeting)
    with pytest.raises(ValidationError) as error:
        comment(open_version, kz, paragraph_id=other.paragraphs.first().pk)
    assert error.value.messages == ["This paragraph is not part of version 1."]


def test_add_comment_refuses_empty_text(open_version):
    kz = DelegationFactory(meeting=open_version.declaration.meeting)
    with pytest.raises(ValidationError) as error:
        comment(open_version, kz, text="   ")
    assert error.value.messages == ["Write your comment or the wording you propose."]


def test_add_comment_refuses_draft_and_superseded(declaration):
    draft = version_with_text(declaration, 1)
    kz = DelegationFactory(meeting=declaration.meeting)
    with pytest.raises(ValidationError):
        comment(draft, kz)


def test_record_adoption_by_acclamation_makes_text_final(open_version, drafter):
    declaration = open_version.declaration
    draft = start_draft(declaration)
    adoption = record_adoption(
        open_version,
        adopted_on=datetime.date(2017, 6, 13),
        by_acclamation=True,
        by=drafter,
    )
    open_version.refresh_from_db()
    assert (open_version.status, adoption.by_acclamation, adoption.recorded_by) == (
        "adopted",
        True,
        drafter,
    )
    with pytest.raises(ValidationError):
        start_draft(declaration)
    with pytest.raises(ValidationError):
        save_draft(draft, lock_version=0, paragraphs=[])
    with pytest.raises(ValidationError):
        circulate_version(draft, deadline=timezone.now() + IN_TEN_DAYS)
    with pytest.raises(VersionFrozen):
        Paragraph.objects.filter(version=open_version).update(text_en="changed")


def test_record_adoption_by_delegations(open_version):
    meeting = open_version.declaration.meeting
    kz = DelegationFactory(meeting=meeting, country_code="KZ")
    uz = DelegationFactory(meeting=meeting, country_code="UZ")
    adoption = record_adoption(
        open_version,
        adopted_on=datetime.date(2017, 6, 13),
        by_acclamation=False,
        delegations=[kz, uz],
    )
    assert set(adoption.delegations.all()) == {kz, uz}


def test_record_adoption_needs_acclamation_or_delegations(open_version):
    with pytest.raises(ValidationError) as error:
        record_adoption(
            open_version, adopted_on=datetime.date(2017, 6, 13), by_acclamation=False
        )
    assert error.value.messages == [
        "Record either adoption by acclamation or the adopting delegations."
    ]
    open_version.refresh_from_db()
    assert open_version.status == Version.Status.CIRCULATED


def test_record_adoption_refuses_draft(declaration):
    draft = version_with_text(declaration, 1)
    with pytest.raises(ValidationError):
        record_adoption(
            draft, adopted_on=datetime.date(2017, 6, 13), by_acclamation=True
        )
