"""Taking a proposal into the draft, and the drafters' other decisions."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from declaration.models import Comment, Version
from declaration.selectors import counterparts, version_paragraphs
from declaration.services import add_comment, decide_comment, take_proposal

WORDING = "Commit to cooperate closely on border management;"


@pytest.fixture
def drafter(db):
    return get_user_model().objects.create_user("dora", password=None, is_staff=True)


def propose(world, version, delegation=None, text=WORDING, language="en", position=2):
    return add_comment(
        version,
        delegation=delegation or world.delegation,
        paragraph_id=version.paragraphs.get(position=position).pk,
        kind=Comment.Kind.PROPOSAL,
        language=language,
        text=text,
    )


def draft_counterpart(comment, draft):
    old = version_paragraphs(comment.version)
    return counterparts(old, version_paragraphs(draft))[comment.paragraph_id]


def test_counterpart_is_found_when_the_draft_moved_the_paragraph(declaration_world):
    w = declaration_world
    paragraph = w.circulated.paragraphs.get(position=2)
    found = counterparts(version_paragraphs(w.circulated), version_paragraphs(w.draft))
    # v2 has one preambular paragraph, the draft two: OP1 is at position 3.
    assert found[paragraph.pk].position == 3


def test_take_proposal_replaces_text_and_links_both_ways(
    world, declaration_world, drafter
):
    w = declaration_world
    proposal = propose(world, w.circulated)
    target = draft_counterpart(proposal, w.draft)
    before_ru, lock = target.text_ru, w.draft.lock_version
    taken = take_proposal(
        proposal,
        paragraph_id=target.pk,
        languages="en",
        text_en=WORDING,
        reply="Thank you.",
        by=drafter,
    )
    target.refresh_from_db()
    w.draft.refresh_from_db()
    assert (target.text_en, target.text_ru) == (WORDING, before_ru)
    assert (taken.outcome, taken.taken_into, taken.taken_paragraph) == (
        "taken",
        w.draft,
        target,
    )
    assert (taken.reply, taken.decided_by) == ("Thank you.", drafter)
    assert list(target.taken_comments.all()) == [taken]
    assert list(w.draft.taken_comments.all()) == [taken]
    assert w.draft.lock_version == lock + 1  # an open editor gets a conflict


def test_take_proposal_in_both_languages_in_part(world, declaration_world):
    w = declaration_world
    proposal = propose(world, w.circulated)
    target = draft_counterpart(proposal, w.draft)
    take_proposal(
        proposal,
        paragraph_id=target.pk,
        languages="both",
        text_en="Commit to cooperate on borders;",
        text_ru="обязуемся сотрудничать в вопросах границ;",
        in_part=True,
    )
    target.refresh_from_db()
    proposal.refresh_from_db()
    assert (target.text_en, target.text_ru) == (
        "Commit to cooperate on borders;",
        "обязуемся сотрудничать в вопросах границ;",
    )
    assert proposal.outcome == "taken_in_part"


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("comment", "not_proposal"),
        ("withdrawn", "withdrawn"),
        ("no_draft", "no_draft"),
        ("foreign_paragraph", "paragraph"),
        ("empty", "empty_ru"),
        ("twice", "taken"),
    ],
)
def test_take_proposal_refusals(world, declaration_world, setup, code):
    w = declaration_world
    proposal = propose(world, w.circulated)
    target = draft_counterpart(proposal, w.draft)
    kwargs = {"paragraph_id": target.pk, "languages": "en", "text_en": WORDING}
    if setup == "comment":
        proposal = w.comment_a
    elif setup == "withdrawn":
        Comment.objects.filter(pk=proposal.pk).update(withdrawn_at=w.draft.created_at)
    elif setup == "no_draft":
        w.draft.delete()
    elif setup == "foreign_paragraph":
        kwargs["paragraph_id"] = w.circulated.paragraphs.get(position=2).pk
    elif setup == "empty":
        kwargs["languages"] = "both"
    elif setup == "twice":
        take_proposal(proposal, **kwargs)
    with pytest.raises(ValidationError) as error:
        take_proposal(proposal, **kwargs)
    assert error.value.code == code


def test_decide_comment_not_taken_with_reply(world, declaration_world):
    comment = decide_comment(
        declaration_world.comment_a, outcome="not_taken", reply="Covered in OP3."
    )
    comment.refresh_from_db()
    assert (comment.outcome, comment.taken_into, comment.reply) == (
        "not_taken",
        None,
        "Covered in OP3.",
    )


def test_database_refuses_taken_without_version(declaration_world):
    comment = declaration_world.comment_a
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(
            outcome="taken", decided_at=comment.created_at
        )


def test_database_refuses_decided_withdrawn_comment(declaration_world):
    comment = declaration_world.comment_a
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(
            outcome="not_taken",
            decided_at=comment.created_at,
            withdrawn_at=comment.created_at,
        )


def test_focal_point_page_shows_what_became_of_each_comment(
    world, declaration_world, client
):
    w = declaration_world
    proposal = propose(world, w.circulated)
    take_proposal(
        proposal,
        paragraph_id=draft_counterpart(proposal, w.draft).pk,
        languages="en",
        text_en=WORDING,
        reply="Taken as proposed.",
    )
    decide_comment(w.comment_a, outcome="not_taken")
    html = client.get(f"/l/{world.token('focal_point')}/?lang=en").content.decode()
    assert f'id="outcome-{proposal.pk}"' in html
    assert "Taken into version 3" in html
    assert "Taken as proposed." in html
    assert f'id="outcome-{w.comment_a.pk}"' in html
    # The edit and withdraw buttons are gone once the drafters decided.
    assert f"/declaration/comments/{proposal.pk}/edit/" not in html
    other = client.get(f"/l/{world.token('other_focal_point')}/?lang=ru")
    assert "Taken as proposed." not in other.content.decode()
    ru = client.get(f"/l/{world.token('focal_point')}/?lang=ru").content.decode()
    assert "Принято в версию 3" in ru


def test_focal_point_cannot_edit_a_decided_comment(world, declaration_world, client):
    w = declaration_world
    decide_comment(w.comment_a, outcome="not_taken")
    response = client.post(
        f"/l/{world.token('focal_point')}/declaration/comments/"
        f"{w.comment_a.pk}/edit/?lang=en",
        {"kind": "comment", "language": "en", "text": "Changed after all"},
    )
    assert response.status_code == 302
    w.comment_a.refresh_from_db()
    assert w.comment_a.text.startswith("Kazakhstan comment")


def test_previous_version_comments_show_after_the_next_circulation(
    world, declaration_world, client
):
    """Once the draft is circulated, the comments on the version before stay on
    the focal point's page with what became of them."""
    import datetime

    from django.utils import timezone

    from declaration.selectors import version_lags
    from declaration.services import circulate_version

    w = declaration_world
    proposal = propose(world, w.circulated)
    target = draft_counterpart(proposal, w.draft)
    take_proposal(proposal, paragraph_id=target.pk, languages="en", text_en=WORDING)
    circulate_version(
        w.draft,
        deadline=timezone.now() + datetime.timedelta(days=3),
        # OP1 changed in English only (and the factory's PP1 in Russian only).
        confirmed=[lag.paragraph.pk for lag in version_lags(w.draft)],
    )
    html = client.get(f"/l/{world.token('focal_point')}/?lang=en").content.decode()
    assert "What became of your comments on version 2" in html
    assert f'id="outcome-{proposal.pk}"' in html
    assert Version.objects.get(pk=w.draft.pk).status == "circulated"


def test_drafter_takes_proposal_in_the_admin(world, declaration_world):
    w = declaration_world
    proposal = propose(world, w.circulated)
    url = f"/admin/declaration/comment/{proposal.pk}/decide/"
    drafter = world.clients["drafter"]
    page = drafter.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="proposal-diff"' in html
    assert "<ins> on border management</ins>" in html
    target = draft_counterpart(proposal, w.draft)
    response = drafter.post(
        url,
        {
            "outcome": "taken",
            "paragraph": target.pk,
            "languages": "en",
            "text_en": WORDING,
            "text_ru": target.text_ru,
            "reply": "",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.text_en == WORDING
    comments = drafter.get(f"/admin/declaration/version/{w.circulated.pk}/comments/")
    assert "into version 3" in comments.content.decode()
    change = drafter.get(f"/admin/declaration/version/{w.draft.pk}/change/")
    assert f"#comment-{proposal.pk}" in change.content.decode()
    assert world.clients["secretariat"].post(url, {}).status_code == 403
