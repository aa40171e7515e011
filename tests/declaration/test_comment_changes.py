"""Focal points edit and withdraw their comments until the deadline; drafters
extend a deadline and the focal points are told. Services, the database's
rule, and the link pages (PRG, errors at the field, the language switch)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from declaration.models import Comment, Version
from declaration.selectors import comments_by_paragraph, versions_with_counts
from declaration.services import (
    DEADLINE_EMAIL,
    compose_deadline_email,
    edit_comment,
    extend_comment_deadline,
    withdraw_comment,
)
from dialogue.outbox.models import Email
from tests.declaration.factories import version_with_text

IN_A_WEEK = datetime.timedelta(days=7)


def late_comment(world, declaration_world):
    """Return a comment on a version whose deadline passed a minute ago."""
    version = version_with_text(
        declaration_world.declaration.__class__.objects.create(
            meeting=world.meeting, title_en="Late", title_ru="Поздно"
        ),
        1,
        status="circulated",
        comment_deadline=timezone.now() - datetime.timedelta(minutes=1),
    )
    return Comment.objects.create(
        paragraph=version.paragraphs.first(),
        delegation=world.delegation,
        language="en",
        text="Sent in time",
    )


# Services ---------------------------------------------------------------


def test_edit_comment_before_deadline_keeps_history(world, declaration_world):
    comment = declaration_world.comment_a
    edited = edit_comment(
        comment,
        delegation=world.delegation,
        kind="proposal",
        language="ru",
        text="  обязуемся сотрудничать в сфере пограничного контроля;  ",
    )
    comment.refresh_from_db()
    assert (comment.kind, comment.language, comment.text) == (
        "proposal",
        "ru",
        "обязуемся сотрудничать в сфере пограничного контроля;",
    )
    assert edited.edited_at is not None
    texts = [h.text for h in comment.history.order_by("history_date")]
    assert texts == [
        "Kazakhstan comment: add a reference to border management.",
        "обязуемся сотрудничать в сфере пограничного контроля;",
    ]


def test_edit_and_withdraw_after_deadline_are_refused(world, declaration_world):
    comment = late_comment(world, declaration_world)
    with pytest.raises(ValidationError) as error:
        edit_comment(
            comment,
            delegation=world.delegation,
            kind="comment",
            language="en",
            text="x",
        )
    assert error.value.code == "deadline"
    with pytest.raises(ValidationError) as error:
        withdraw_comment(comment, delegation=world.delegation)
    assert error.value.code == "deadline"
    comment.refresh_from_db()
    assert (comment.text, comment.withdrawn_at) == ("Sent in time", None)


def test_edit_and_withdraw_refuse_another_delegations_comment(world, declaration_world):
    other = declaration_world.comment_other
    with pytest.raises(ValidationError) as error:
        withdraw_comment(other, delegation=world.delegation)
    assert error.value.code == "not_own"
    with pytest.raises(ValidationError) as error:
        edit_comment(
            other, delegation=world.delegation, kind="comment", language="en", text="x"
        )
    assert error.value.code == "not_own"


def test_edit_comment_refuses_empty_text(world, declaration_world):
    with pytest.raises(ValidationError) as error:
        edit_comment(
            declaration_world.comment_a,
            delegation=world.delegation,
            kind="comment",
            language="en",
            text="   ",
        )
    assert error.value.code == "empty"


def test_withdrawn_comment_leaves_the_drafters_lists(world, declaration_world):
    version = declaration_world.circulated
    comment = declaration_world.comment_a
    withdraw_comment(comment, delegation=world.delegation)
    shown = [c.pk for g in comments_by_paragraph(version) for c in g.comments]
    assert shown == [declaration_world.comment_other.pk]
    counts = {
        v.pk: v.comment_count for v in versions_with_counts(version.declaration_id)
    }
    assert counts[version.pk] == 1
    comment.refresh_from_db()
    assert comment.withdrawn_at is not None
    assert comment.history.count() == 2  # created, withdrawn
    with pytest.raises(ValidationError) as error:
        withdraw_comment(comment, delegation=world.delegation)
    assert error.value.code == "withdrawn"


def test_extend_deadline_queues_an_email_to_every_focal_point(world, declaration_world):
    version = declaration_world.circulated
    new = version.comment_deadline + IN_A_WEEK
    extend_comment_deadline(version, new, by=None)
    version.refresh_from_db()
    assert version.comment_deadline == new
    emails = Email.objects.filter(kind=DEADLINE_EMAIL).order_by("recipient")
    assert [e.recipient for e in emails] == sorted(
        [world.delegation.focal_point_email, world.other_delegation.focal_point_email]
    )
    assert {e.object_id for e in emails} == set(
        version.circulations.values_list("pk", flat=True)
    )


def test_deadline_email_in_the_delegations_language(world, declaration_world):
    version = declaration_world.circulated
    world.delegation.language = "ru"
    world.delegation.save()
    world.other_delegation.language = "en"
    world.other_delegation.save()
    extend_comment_deadline(version, version.comment_deadline + IN_A_WEEK)
    circulation = version.circulations.get(delegation=world.delegation)
    composed = compose_deadline_email(circulation.pk)
    assert composed.to == world.delegation.focal_point_email
    assert "замечания по версии 2 принимаются до" in composed.subject
    assert "продлил срок представления замечаний" in composed.body
    other = version.circulations.get(delegation=world.other_delegation)
    english = compose_deadline_email(other.pk)
    assert "comments on version 2 are open until" in english.subject


def test_extend_deadline_refuses_an_earlier_or_equal_deadline(world, declaration_world):
    version = declaration_world.circulated
    for moment in (version.comment_deadline, version.comment_deadline - IN_A_WEEK):
        with pytest.raises(ValidationError) as error:
            extend_comment_deadline(version, moment)
        assert error.value.code == "not_later"
    assert Email.objects.filter(kind=DEADLINE_EMAIL).count() == 0


def test_extend_deadline_only_for_the_circulated_version(world, declaration_world):
    for version in (declaration_world.superseded, declaration_world.draft):
        with pytest.raises(ValidationError) as error:
            extend_comment_deadline(version, timezone.now() + IN_A_WEEK)
        assert error.value.code == "not_circulated"
    with pytest.raises(ValidationError) as error:
        extend_comment_deadline(declaration_world.adopted, timezone.now() + IN_A_WEEK)
    assert error.value.code == "adopted"


def test_extend_a_passed_deadline_reopens_comments(world, declaration_world):
    comment = late_comment(world, declaration_world)
    extend_comment_deadline(comment.version, timezone.now() + IN_A_WEEK)
    edit_comment(
        comment, delegation=world.delegation, kind="comment", language="en", text="Now"
    )
    comment.refresh_from_db()
    assert comment.text == "Now"


SET_DEADLINE = "UPDATE declaration_version SET comment_deadline = %s WHERE id = %s"


def test_database_allows_only_a_later_deadline_on_a_circulated_version(
    declaration_world,
):
    circulated = declaration_world.circulated
    superseded = declaration_world.superseded
    with connection.cursor() as cursor:
        for version, delta in ((circulated, -IN_A_WEEK), (superseded, IN_A_WEEK)):
            with pytest.raises(IntegrityError), transaction.atomic():
                cursor.execute(
                    SET_DEADLINE, [version.comment_deadline + delta, version.pk]
                )
        later = circulated.comment_deadline + IN_A_WEEK
        cursor.execute(SET_DEADLINE, [later, circulated.pk])
    assert Version.objects.get(pk=circulated.pk).comment_deadline == later


# Link pages ----------------------------------------------------------------


def tag(html: str, start: str) -> str:
    """Return the HTML tag that contains `start`."""
    at = html.index(start)
    return html[html.rindex("<", 0, at + 1) : html.index(">", at) + 1]


def comment_url(token, version, lang="en"):
    return f"/l/{token}/declaration/{version.pk}/comment/?lang={lang}"


def test_each_paragraph_has_a_comment_button_that_chooses_it(
    world, declaration_world, client
):
    token = world.token("focal_point")
    version = declaration_world.circulated
    html = client.get(f"/l/{token}/?lang=en").content.decode()
    for paragraph in version.paragraphs.all():
        assert (
            f'href="{comment_url(token, version)}&amp;paragraph={paragraph.pk}'
            f'#comment-form-{version.pk}"'
        ) in html
    assert "Comment on OP1" in html
    assert "/static/js/comment-form.js" in html
    op1 = version.paragraphs.get(position=2)
    response = client.get(f"{comment_url(token, version)}&paragraph={op1.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{op1.pk}" selected>' in html
    assert "autofocus" in tag(html, '<textarea name="text"')


def test_refused_comment_errors_at_the_field_and_typed_input_kept(
    world, declaration_world, client
):
    token = world.token("focal_point")
    version = declaration_world.circulated
    op2 = version.paragraphs.get(position=3)
    response = client.post(
        comment_url(token, version),
        {"paragraph": op2.pk, "kind": "proposal", "language": "ru", "text": "  "},
    )
    assert response.status_code == 302  # PRG, also for a refusal
    assert response["Location"] == comment_url(token, version)
    html = client.get(response["Location"]).content.decode()
    text_field = html.index('name="text"')
    error = html.index("Write your comment or the wording you propose.")
    # The error follows the text field, before the next field or the button.
    assert text_field < error < html.index('name="send"')
    textarea = tag(html, '<textarea name="text"')
    assert "autofocus" in textarea
    assert 'aria-invalid="true"' in textarea
    assert html.count("autofocus") == 1
    assert f'<option value="{op2.pk}" selected>' in html
    assert "checked" in tag(html, 'name="kind" value="proposal"')
    assert Comment.objects.filter(version=version).count() == 2


def test_language_switch_on_a_refused_comment_gives_the_page_not_405(
    world, declaration_world, client
):
    token = world.token("focal_point")
    version = declaration_world.circulated
    client.post(
        comment_url(token, version),
        {
            "paragraph": version.paragraphs.get(position=2).pk,
            "kind": "comment",
            "language": "en",
            "text": "",
        },
    )
    # The language links of the page are ?lang= links to the same URL.
    html = client.get(comment_url(token, version)).content.decode()
    assert 'href="?lang=ru"' in html
    response = client.get(comment_url(token, version, "ru"))
    assert response.status_code == 200
    assert "Напишите замечание или предлагаемую формулировку." in (
        response.content.decode()
    )


def test_refused_text_is_kept_across_the_language_switch(
    world, declaration_world, client
):
    token = world.token("focal_point")
    version = declaration_world.circulated
    client.post(
        comment_url(token, version),
        {"paragraph": "", "kind": "comment", "language": "en", "text": "Keep me"},
    )
    html = client.get(comment_url(token, version, "ru")).content.decode()
    assert "Keep me</textarea>" in html
    assert "Выберите пункт" in html


def test_sent_comment_clears_the_kept_draft(world, declaration_world, client):
    token = world.token("focal_point")
    version = declaration_world.circulated
    values = {"paragraph": "", "kind": "comment", "language": "en", "text": "Draft"}
    client.post(comment_url(token, version), values)
    values["paragraph"] = version.paragraphs.get(position=2).pk
    response = client.post(comment_url(token, version), values)
    saved = Comment.objects.latest("id")
    assert response["Location"] == f"/l/{token}/?lang=en#own-comment-{saved.pk}"
    html = client.get(comment_url(token, version)).content.decode()
    assert "Draft</textarea>" not in html


def edit_url(token, comment, action="edit", lang="en"):
    return f"/l/{token}/declaration/comments/{comment.pk}/{action}/?lang={lang}"


def test_focal_point_edits_own_comment(world, declaration_world, client):
    token = world.token("focal_point")
    comment = declaration_world.comment_a
    page = client.get(f"/l/{token}/?lang=en").content.decode()
    assert edit_url(token, comment) in page.replace("&amp;", "&")
    form = client.get(edit_url(token, comment))
    assert form.status_code == 200
    assert f"{comment.text}</textarea>" in form.content.decode()
    response = client.post(
        edit_url(token, comment),
        {"kind": "proposal", "language": "en", "text": "Add border management."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/l/{token}/?lang=en#own-comment-{comment.pk}"
    comment.refresh_from_db()
    assert (comment.kind, comment.text) == ("proposal", "Add border management.")
    page = client.get(response["Location"]).content.decode()
    assert "Your comment on OP1 was changed." in page


def test_refused_edit_redirects_to_its_form_with_the_error(
    world, declaration_world, client
):
    token = world.token("focal_point")
    comment = declaration_world.comment_a
    response = client.post(
        edit_url(token, comment), {"kind": "comment", "language": "en", "text": ""}
    )
    assert response.status_code == 302
    html = client.get(edit_url(token, comment, lang="ru")).content.decode()
    assert "Напишите замечание или предлагаемую формулировку." in html
    assert "autofocus" in html
    comment.refresh_from_db()
    assert comment.text.startswith("Kazakhstan comment")


def test_focal_point_withdraws_own_comment(world, declaration_world, client):
    token = world.token("focal_point")
    comment = declaration_world.comment_a
    confirm = client.get(edit_url(token, comment, "withdraw", "ru"))
    assert confirm.status_code == 200
    assert "Отозвать замечание" in confirm.content.decode()
    response = client.post(edit_url(token, comment, "withdraw"))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.withdrawn_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Your comment on OP1 was withdrawn." in page
    assert "the drafters no longer see it" in page
    assert edit_url(token, comment) not in page.replace("&amp;", "&")


def test_edit_after_deadline_is_refused_on_the_page(world, declaration_world, client):
    token = world.token("focal_point")
    comment = late_comment(world, declaration_world)
    html = client.get(edit_url(token, comment)).content.decode()
    assert "the comment can no longer change" in html
    assert 'name="text"' not in html
    response = client.post(edit_url(token, comment, "withdraw"))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.withdrawn_at is None
    page = client.get(response["Location"]).content.decode()
    assert "The deadline for comments on version 1 passed" in page


def test_another_delegations_comment_is_404(world, declaration_world, client):
    token = world.token("focal_point")
    other = declaration_world.comment_other
    assert client.get(edit_url(token, other)).status_code == 404
    assert client.post(edit_url(token, other, "withdraw")).status_code == 404
    other.refresh_from_db()
    assert other.withdrawn_at is None


# The drafters' admin ------------------------------------------------------


def extend_url(version):
    return f"/admin/declaration/version/{version.pk}/extend-deadline/"


def test_admin_extends_the_deadline_from_the_version_page(world, declaration_world):
    client = world.clients["drafter"]
    version = declaration_world.circulated
    change = client.get(f"/admin/declaration/version/{version.pk}/change/")
    assert extend_url(version) in change.content.decode()
    form = client.get(extend_url(version))
    assert form.status_code == 200
    assert 'class="module aligned"' in form.content.decode()
    local = timezone.localtime(
        version.comment_deadline + IN_A_WEEK, world.meeting.tzinfo
    )
    response = client.post(
        extend_url(version),
        {
            "deadline_date": local.date().isoformat(),
            "deadline_time": local.strftime("%H:%M"),
        },
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.comment_deadline > timezone.now() + datetime.timedelta(days=16)
    assert Email.objects.filter(kind=DEADLINE_EMAIL).count() == 2


def test_admin_earlier_deadline_refused_at_the_date_field(world, declaration_world):
    client = world.clients["drafter"]
    version = declaration_world.circulated
    before = version.comment_deadline
    earlier = timezone.localtime(
        before - datetime.timedelta(days=2), world.meeting.tzinfo
    )
    response = client.post(
        extend_url(version),
        {
            "deadline_date": earlier.date().isoformat(),
            "deadline_time": earlier.strftime("%H:%M"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    row = html.index("field-deadline_date")
    assert row < html.index("The new deadline must be later than the current one")
    assert html.index("The new deadline must be later") < html.index(
        "field-deadline_time"
    )
    version.refresh_from_db()
    assert version.comment_deadline == before
    assert Email.objects.filter(kind=DEADLINE_EMAIL).count() == 0


def test_admin_extend_page_is_404_for_a_version_not_circulated(
    world, declaration_world
):
    client = world.clients["drafter"]
    assert client.get(extend_url(declaration_world.superseded)).status_code == 404
    assert client.get(extend_url(declaration_world.draft)).status_code == 404
