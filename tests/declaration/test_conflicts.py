"""Conflicting proposals on one paragraph: side by side, and superseded."""

from declaration.diff import compare_proposals
from declaration.models import Comment
from declaration.selectors import comments_by_paragraph
from declaration.services import add_comment, take_proposal
from tests.declaration.test_proposals import draft_counterpart

CURRENT = {"en": "Commit to cooperate closely;", "ru": "обязуемся сотрудничать;"}


def test_compare_proposals_known_inputs():
    columns = compare_proposals(
        CURRENT,
        [
            ("kz", "en", "Commit to cooperate very closely;"),
            ("kg", "en", "Commit to cooperate closely on borders;"),
            ("tj", "ru", "обязуемся тесно сотрудничать;"),
        ],
    )
    by_key = {c.key: c for c in columns}
    assert [(s.op, s.text) for s in by_key["kz"].against_current.segments] == [
        ("equal", "Commit to cooperate "),
        ("insert", "very "),
        ("equal", "closely;"),
    ]
    assert [(s.op, s.text) for s in by_key["tj"].against_current.segments] == [
        ("equal", "обязуемся"),
        ("insert", " тесно"),
        ("equal", " сотрудничать;"),
    ]
    kz_others = dict(by_key["kz"].against_others)
    # Against KG's wording: KZ adds "very" and lacks "on borders".
    assert [(s.op, s.text) for s in kz_others["kg"].segments] == [
        ("equal", "Commit to cooperate "),
        ("insert", "very "),
        ("equal", "closely"),
        ("delete", " on borders"),
        ("equal", ";"),
    ]
    assert kz_others["tj"] is None  # another language: not compared
    assert [key for key, _entry in by_key["tj"].against_others] == ["kz", "kg"]


def proposals_on_op1(world, version):
    paragraph = version.paragraphs.get(position=2)
    made = []
    for delegation, text in (
        (world.delegation, "Commit to cooperate very closely;"),
        (world.other_delegation, "Commit to cooperate closely on borders;"),
    ):
        made.append(
            add_comment(
                version,
                delegation=delegation,
                paragraph_id=paragraph.pk,
                kind=Comment.Kind.PROPOSAL,
                language="en",
                text=text,
            )
        )
    return made


def test_conflict_only_with_two_delegations(world, declaration_world):
    w = declaration_world
    groups = {g.paragraph.position: g for g in comments_by_paragraph(w.circulated)}
    assert groups[2].conflict == []
    proposals_on_op1(world, w.circulated)
    groups = {g.paragraph.position: g for g in comments_by_paragraph(w.circulated)}
    assert [c.comment.delegation for c in groups[2].conflict] == [
        world.delegation,
        world.other_delegation,
    ]
    assert groups[3].conflict == []


def test_conflict_view_shows_proposals_side_by_side(world, declaration_world):
    w = declaration_world
    kz, kg = proposals_on_op1(world, w.circulated)
    drafter = world.clients["drafter"]
    url = f"/admin/declaration/version/{w.circulated.pk}/comments/"
    html = drafter.get(url).content.decode()
    paragraph = w.circulated.paragraphs.get(position=2)
    assert f'id="conflict-{paragraph.pk}"' in html
    assert f'id="conflict-column-{kz.pk}"' in html
    assert f'id="conflict-column-{kg.pk}"' in html
    assert "Commit to cooperate <ins>very </ins>closely;" in html
    assert "closely<ins> on borders</ins>;" in html
    assert html.count('class="diff-text against-other"') == 2
    html_ru = drafter.get(url, headers={"accept-language": "ru"}).content.decode()
    assert "противоречащие предложения" in html_ru


def test_taking_one_marks_the_others_superseded(world, declaration_world):
    w = declaration_world
    kz, kg = proposals_on_op1(world, w.circulated)
    take_proposal(
        kg,
        paragraph_id=draft_counterpart(kg, w.draft).pk,
        languages="en",
        text_en=kg.text,
    )
    kz.refresh_from_db()
    assert (kz.outcome, kz.superseded_by, kz.taken_into) == ("superseded", kg, None)
    assert list(kg.superseded.all()) == [kz]
    # The plain comment on the same paragraph is not a proposal: left as it was.
    w.comment_a.refresh_from_db()
    assert w.comment_a.outcome == "pending"
    # The superseded one can still be taken afterwards (the drafters change
    # their minds): it is then taken, no longer superseded.
    take_proposal(
        kz,
        paragraph_id=draft_counterpart(kz, w.draft).pk,
        languages="en",
        text_en=kz.text,
    )
    kz.refresh_from_db()
    assert (kz.outcome, kz.superseded_by) == ("taken", None)
