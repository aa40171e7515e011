"""Amendments as the UN numbers them: a new paragraph, a deletion, a move;
proposals numbered per version and delegation; taking them into the draft."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from declaration.forms import CommentForm
from declaration.models import Comment
from declaration.selectors import version_diff, version_paragraphs
from declaration.services import add_comment, circulate_version, take_proposal

NEW_OP = "Encourage the exchange of financial intelligence;"
NEW_OP_RU = "поощряем обмен финансовой информацией;"


@pytest.fixture
def drafter(db):
    return get_user_model().objects.create_user("dora", password=None, is_staff=True)


def at(version, position):
    return version.paragraphs.get(position=position)


def amend(world, version, kind, position, delegation=None, **extra):
    extra.setdefault("text", "")
    extra.setdefault("language", "en")
    return add_comment(
        version,
        delegation=delegation or world.delegation,
        paragraph_id=at(version, position).pk,
        kind=kind,
        **extra,
    )


def texts(version):
    return [(p.label, p.text_en) for p in version_paragraphs(version)]


def test_comments_are_numbered_per_version_and_delegation(world, declaration_world):
    w = declaration_world
    # The world's fixture comments are number 1 of each delegation.
    assert (w.comment_a.number, w.comment_other.number) == (1, 1)
    assert w.comment_a.reference == "KZ-1"
    second = amend(world, w.circulated, "insert", 2, new_kind="operative", text=NEW_OP)
    third = amend(world, w.circulated, "delete", 3)
    other = amend(world, w.circulated, "delete", 3, delegation=world.other_delegation)
    assert [c.reference for c in (second, third, other)] == ["KZ-2", "KZ-3", "KG-2"]


def test_comment_number_is_unique_per_version_and_delegation(world, declaration_world):
    w = declaration_world
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(
            paragraph=at(w.circulated, 2),
            delegation=world.delegation,
            language="en",
            text="Same number again",
            number=1,
        )


@pytest.mark.parametrize(
    ("kind", "position", "extra", "code", "message"),
    [
        (
            "insert",
            2,
            {"text": NEW_OP},
            "new_kind",
            "Choose whether the new paragraph is preambular or operative.",
        ),
        (
            "insert",
            2,
            {"new_kind": "preambular", "text": "Noting,"},
            "insert_order",
            "A new preambular paragraph cannot go after OP1: preambular "
            "paragraphs come before operative ones.",
        ),
        (
            "insert",
            2,
            {"new_kind": "operative"},
            "empty",
            "Write the text of the new paragraph.",
        ),
        (
            "move",
            2,
            {},
            "target",
            "Choose the paragraph after which OP1 should go: another paragraph "
            "of the text.",
        ),
        (
            "move",
            3,
            {"target": 2},
            "target",
            "OP2 already follows OP1: choose another place.",
        ),
        (
            "move",
            1,
            {"target": 3},
            "move_order",
            "PP1 cannot go after OP2: preambular paragraphs come before "
            "operative ones.",
        ),
    ],
)
def test_amendment_refusals_name_the_rule(
    world, declaration_world, kind, position, extra, code, message
):
    version = declaration_world.circulated
    if "target" in extra:
        extra["target_id"] = at(version, extra.pop("target")).pk
    with pytest.raises(ValidationError) as error:
        amend(world, version, kind, position, **extra)
    assert (error.value.code, error.value.messages) == (code, [message])


def test_deletion_and_move_need_no_text(world, declaration_world):
    w = declaration_world
    deletion = amend(world, w.circulated, "delete", 3)
    move = amend(world, w.circulated, "move", 2, target_id=at(w.circulated, 3).pk)
    assert (deletion.text, move.text, move.target.position) == ("", "", 3)


def test_focal_point_form_shows_each_refusal_at_its_field(world, declaration_world):
    version = declaration_world.circulated
    paragraphs = version_paragraphs(version)

    def form(**data):
        return CommentForm(
            {"language": "en", "text": "", **data},
            version=version,
            paragraphs=paragraphs,
            lang="en",
            action="/",
            meeting=world.meeting,
        )

    insert = form(paragraph=paragraphs[1].pk, kind="insert", text=NEW_OP)
    assert not insert.is_valid()
    assert insert.errors == {
        "new_kind": ["Choose whether the new paragraph is preambular or operative."]
    }
    move = form(paragraph=paragraphs[1].pk, kind="move", target="999999")
    assert not move.is_valid()
    assert move.errors["target"] == [
        "Move it after one of the paragraphs of version 2.",
    ]
    moved_in_place = form(
        paragraph=paragraphs[2].pk, kind="move", target=str(paragraphs[1].pk)
    )
    assert not moved_in_place.is_valid()
    assert moved_in_place.errors == {
        "target": ["OP2 already follows OP1: choose another place."]
    }
    good = form(paragraph=paragraphs[2].pk, kind="delete")
    assert good.is_valid(), good.errors


def test_take_insert_adds_a_new_op_shown_as_new_until_circulated(
    world, declaration_world, drafter
):
    w = declaration_world
    proposal = amend(
        world, w.circulated, "insert", 2, new_kind="operative", text=NEW_OP
    )
    anchor = at(w.draft, 3)  # the draft's OP1, the counterpart of v2's OP1
    lock = w.draft.lock_version
    take_proposal(
        proposal,
        paragraph_id=anchor.pk,
        languages="both",
        text_en=NEW_OP,
        text_ru=NEW_OP_RU,
        by=drafter,
    )
    proposal.refresh_from_db()
    w.draft.refresh_from_db()
    assert w.draft.lock_version == lock + 1
    assert texts(w.draft) == [
        ("PP1", "Recalling the Global Strategy,"),
        ("PP2", "Welcoming the Joint Plan,"),
        ("OP1", "Commit to cooperate closely;"),
        ("OP2", NEW_OP),
        ("OP3", "Call upon donors to help."),
    ]
    new = at(w.draft, 4)
    assert (new.kind, new.text_ru) == ("operative", NEW_OP_RU)
    assert (proposal.outcome, proposal.taken_into, proposal.taken_paragraph) == (
        "taken",
        w.draft,
        new,
    )
    assert new.history.first().history_user == drafter
    # The diff cites it as the drafters do until circulation; OP2 keeps its number.
    labels = [
        (e.status, e.new.label if e.new else None)
        for e in version_diff(w.circulated, w.draft, "en")
    ]
    assert labels == [
        ("unchanged", "PP1"),
        ("added", "new PP"),
        ("unchanged", "OP1"),
        ("added", "new OP"),
        ("changed", "OP2"),
    ]
    import datetime

    from django.utils import timezone

    from declaration.selectors import version_lags

    circulate_version(
        w.draft,
        deadline=timezone.now() + datetime.timedelta(days=3),
        confirmed=[lag.paragraph.pk for lag in version_lags(w.draft)],
    )
    w.draft.refresh_from_db()
    labels = [
        (e.status, e.new.label if e.new else None)
        for e in version_diff(w.circulated, w.draft, "en")
    ]
    assert labels[3:] == [("added", "OP2"), ("changed", "OP3")]


def test_new_paragraph_labels_in_russian(world, declaration_world, drafter):
    from django.utils import translation

    w = declaration_world
    proposal = amend(world, w.circulated, "insert", 1, new_kind="preambular", text="A,")
    take_proposal(
        proposal, paragraph_id=at(w.draft, 2).pk, languages="en", text_en="Noting,"
    )
    with translation.override("ru"):
        labels = [e.new.label for e in version_diff(w.circulated, w.draft, "ru")]
    assert labels[:3] == ["ПП1", "новый пункт преамбулы", "новый пункт преамбулы"]


def test_take_deletion_removes_the_paragraph_and_supersedes_wording(
    world, declaration_world, drafter
):
    w = declaration_world
    deletion = amend(world, w.circulated, "delete", 3, text="Donors are covered.")
    wording = add_comment(
        w.circulated,
        delegation=world.other_delegation,
        paragraph_id=at(w.circulated, 3).pk,
        kind="proposal",
        language="en",
        text="Call upon donors to help much more.",
    )
    take_proposal(deletion, paragraph_id=at(w.draft, 4).pk, by=drafter)
    deletion.refresh_from_db()
    wording.refresh_from_db()
    assert [text for _label, text in texts(w.draft)] == [
        "Recalling the Global Strategy,",
        "Welcoming the Joint Plan,",
        "Commit to cooperate closely;",
    ]
    assert (deletion.outcome, deletion.taken_into, deletion.taken_paragraph) == (
        "taken",
        w.draft,
        None,
    )
    assert (wording.outcome, wording.superseded_by) == ("superseded", deletion)


def test_take_move_reorders_the_draft(world, declaration_world, drafter):
    w = declaration_world
    paragraphs = w.draft.paragraphs.order_by("position")
    # Three operative paragraphs: the draft gains one, then OP1 moves after OP3.
    from declaration.services import ParagraphText, save_draft

    save_draft(
        w.draft,
        lock_version=w.draft.lock_version,
        paragraphs=[
            *(ParagraphText(p.kind, p.text_en, p.text_ru) for p in paragraphs),
            ParagraphText("operative", "Decide to meet again.", "решаем встретиться."),
        ],
    )
    move = amend(world, w.circulated, "move", 2, target_id=at(w.circulated, 3).pk)
    take_proposal(
        move, paragraph_id=at(w.draft, 3).pk, target_id=at(w.draft, 5).pk, by=drafter
    )
    assert [text for _label, text in texts(w.draft)] == [
        "Recalling the Global Strategy,",
        "Welcoming the Joint Plan,",
        "Call upon donors to help.",
        "Decide to meet again.",
        "Commit to cooperate closely;",
    ]
    move.refresh_from_db()
    assert move.taken_paragraph.text_en == "Commit to cooperate closely;"


def test_take_move_refuses_a_preambular_place(world, declaration_world, drafter):
    w = declaration_world
    move = amend(world, w.circulated, "move", 3, target_id=at(w.circulated, 1).pk)
    with pytest.raises(ValidationError) as error:
        take_proposal(move, paragraph_id=at(w.draft, 4).pk, target_id=at(w.draft, 1).pk)
    assert error.value.code == "move_order"
    assert at(w.draft, 4).text_en == "Call upon donors to help."  # nothing changed
