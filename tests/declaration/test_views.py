"""The focal point's page: text, diff, comment form, own comments only."""

import datetime

import pytest
from django.utils import timezone

from declaration.models import Circulation, Comment
from declaration.panels import declaration_panel
from tests.declaration.factories import version_with_text

XSS = '<script>alert("x")</script> <img src="file:///etc/passwd">'


def page(client, token, lang="en"):
    return client.get(f"/l/{token}/?lang={lang}")


def comment_url(token, version, lang="en"):
    return f"/l/{token}/declaration/{version.pk}/comment/?lang={lang}"


def test_focal_point_page_shows_latest_circulated_text_and_diff(
    world, declaration_world, client
):
    response = page(client, world.token("focal_point"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Call upon donors to help more." in html  # v2, the circulated one
    assert "What changed from version 1 to version 2" in html
    assert "Call upon donors to help<ins> more</ins>." in html
    assert f'id="comment-form-{declaration_world.circulated.pk}"' in html
    assert "Show the Russian text" in html
    assert "призываем доноров." in html


def test_focal_point_page_in_russian(world, declaration_world, client):
    html = page(client, world.token("focal_point"), "ru").content.decode()
    assert "ссылаясь на Стратегию," in html
    assert "Что изменилось по сравнению с версией 1 (версия 2)" in html


def test_focal_point_sees_own_comments_only(world, declaration_world, client):
    own = page(client, world.token("focal_point")).content.decode()
    assert declaration_world.comment_a.text in own
    assert declaration_world.comment_other.text not in own
    other = page(client, world.token("other_focal_point")).content.decode()
    assert declaration_world.comment_other.text in other
    assert declaration_world.comment_a.text not in other


def test_delegate_link_does_not_show_circulated_draft(world, declaration_world, client):
    html = page(client, world.token("delegate_a")).content.decode()
    assert "Call upon donors to help more." not in html
    assert declaration_world.comment_a.text not in html
    # The adopted declaration is public to the meeting's delegates.
    assert declaration_world.adopted_declaration.title_en in html


def test_opening_page_records_first_opened(world, declaration_world, client):
    row = Circulation.objects.get(
        version=declaration_world.circulated, delegation=world.delegation
    )
    assert row.first_opened_at is None
    page(client, world.token("focal_point"))
    row.refresh_from_db()
    first = row.first_opened_at
    assert first is not None
    page(client, world.token("focal_point"))
    row.refresh_from_db()
    assert row.first_opened_at == first
    other = Circulation.objects.get(
        version=declaration_world.circulated, delegation=world.other_delegation
    )
    assert other.first_opened_at is None


def test_panel_query_count_does_not_grow(
    world, declaration_world, django_assert_num_queries
):
    link = world.links["focal_point"]
    with django_assert_num_queries(5):
        declaration_panel(link, [], "en")
    for position in (1, 3):
        Comment.objects.create(
            paragraph=declaration_world.circulated.paragraphs.get(position=position),
            delegation=world.delegation,
            language="en",
            text="More",
        )
    with django_assert_num_queries(5):
        declaration_panel(link, [], "en")


def post_comment(client, token, version, **data):
    values = {
        "kind": "proposal",
        "language": "en",
        "text": "Commit to cooperate very closely;",
    }
    values.update(data)
    if "paragraph" not in values:
        values["paragraph"] = version.paragraphs.get(position=2).pk
    return client.post(comment_url(token, version), values)


def follow_refusal(client, response, token, version, lang="en"):
    """Return the page a refused comment redirects to (PRG): the comment form
    of the version, with what was typed and the errors at their fields."""
    assert response.status_code == 302
    assert response["Location"] == comment_url(token, version, lang)
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    return shown.content.decode()


def test_comment_is_saved_and_shown_to_its_delegation(world, declaration_world, client):
    version = declaration_world.circulated
    response = post_comment(client, world.token("focal_point"), version)
    saved = Comment.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/l/{world.token('focal_point')}/?lang=en#own-comment-{saved.pk}"
    )
    assert (saved.delegation, saved.paragraph.position, saved.kind, saved.text) == (
        world.delegation,
        2,
        "proposal",
        "Commit to cooperate very closely;",
    )
    html = client.get(response["Location"]).content.decode()
    assert "Thank you: your comment on OP1 was sent to the drafters." in html


def test_comment_with_empty_text_keeps_choices_and_says_why(
    world, declaration_world, client
):
    version = declaration_world.circulated
    token = world.token("focal_point")
    response = post_comment(client, token, version, text="  ")
    html = follow_refusal(client, response, token, version)
    assert "Write your comment or the wording you propose." in html
    assert Comment.objects.filter(version=version).count() == 2


def test_comment_on_paragraph_of_another_version_is_refused_and_text_kept(
    world, declaration_world, client
):
    version = declaration_world.circulated
    foreign = declaration_world.superseded.paragraphs.first()
    response = post_comment(
        client,
        world.token("focal_point"),
        version,
        paragraph=foreign.pk,
        text="My carefully drafted wording",
    )
    html = follow_refusal(client, response, world.token("focal_point"), version)
    assert "This paragraph is not part of version 2." in html
    assert "My carefully drafted wording</textarea>" in html
    assert Comment.objects.filter(text="My carefully drafted wording").count() == 0


def test_comment_after_deadline_is_refused_with_clear_message_and_text_kept(
    world, declaration_world, client
):
    version = version_with_text(
        declaration_world.adopted_declaration.__class__.objects.create(
            meeting=world.meeting, title_en="Late", title_ru="Поздно"
        ),
        1,
        status="circulated",
        comment_deadline=timezone.now() - datetime.timedelta(minutes=1),
    )
    html_page = page(client, world.token("focal_point")).content.decode()
    assert f'id="comments-closed-{version.pk}"' in html_page
    assert f'id="comment-form-{version.pk}"' not in html_page
    response = post_comment(
        client, world.token("focal_point"), version, text="Too late, but kept"
    )
    html = follow_refusal(client, response, world.token("focal_point"), version)
    assert "The deadline for comments on version 1 passed on" in html
    assert (
        "It is kept below, so that you can send it to the secretariat by email."
    ) in html
    assert "Too late, but kept</textarea>" in html
    assert Comment.objects.filter(version=version).count() == 0


def test_comment_on_superseded_version_is_refused(world, declaration_world, client):
    version = declaration_world.superseded
    response = post_comment(
        client,
        world.token("focal_point"),
        version,
        paragraph=version.paragraphs.first().pk,
        text="Old wording",
    )
    html = follow_refusal(client, response, world.token("focal_point"), version)
    assert (
        "Version 1 is no longer open for comments: it is superseded. Your text "
        "was not saved."
    ) in html
    assert "Old wording</textarea>" in html


@pytest.mark.parametrize("state", ["unknown", "revoked", "expired"])
def test_comment_through_invalid_link_is_404_and_gives_text_back(
    world, declaration_world, client, state
):
    link = world.links["focal_point"]
    token = link.token
    if state == "unknown":
        token = "x" * 43
    elif state == "revoked":
        link.revoked_at = timezone.now()
        link.save()
    else:
        link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
        link.save()
    response = post_comment(
        client, token, declaration_world.circulated, text="Words I must not lose"
    )
    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"
    assert "Words I must not lose</textarea>" in response.content.decode()
    assert Comment.objects.filter(text="Words I must not lose").count() == 0


def test_delegate_link_cannot_comment(world, declaration_world, client):
    response = post_comment(
        client, world.token("delegate_a"), declaration_world.circulated
    )
    assert response.status_code == 404


def test_focal_point_cannot_comment_on_draft(world, declaration_world, client):
    draft = declaration_world.draft
    response = post_comment(
        client,
        world.token("focal_point"),
        draft,
        paragraph=draft.paragraphs.first().pk,
    )
    assert response.status_code == 404


def test_markup_in_paragraphs_and_comments_is_shown_as_text(
    world, declaration_world, client
):
    declaration = declaration_world.adopted_declaration.__class__.objects.create(
        meeting=world.meeting, title_en="Escaping", title_ru="Экранирование"
    )
    version_with_text(
        declaration,
        1,
        text=[("operative", f"Commit {XSS};", f"обязуемся {XSS};")],
        status="superseded",
    )
    v2 = version_with_text(
        declaration,
        2,
        text=[("operative", f"Commit now {XSS};", f"обязуемся {XSS};")],
        status="circulated",
    )
    response = post_comment(
        client,
        world.token("focal_point"),
        v2,
        paragraph=v2.paragraphs.first().pk,
        text=XSS,
    )
    assert response.status_code == 302
    html = page(client, world.token("focal_point")).content.decode()
    assert "<script>alert" not in html
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html


def test_adopted_pdf_for_links_only_when_adopted(world, declaration_world, client):
    adopted = declaration_world.adopted
    token = world.token("delegate_a")
    response = client.get(f"/l/{token}/declaration/{adopted.pk}/ru.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    circulated = declaration_world.circulated
    assert (
        client.get(f"/l/{token}/declaration/{circulated.pk}/en.pdf").status_code == 404
    )
    assert client.get(f"/l/{token}/declaration/{adopted.pk}/de.pdf").status_code == 404
