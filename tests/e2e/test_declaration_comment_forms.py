"""A focal point's comment form in a browser: an empty comment puts the focus
on the text with the error beside it, the fix is sent (redirect), then edited
and withdrawn; the language switch works on every page. Screenshots in both
languages, desktop and phone."""

import datetime

import pytest
from django.utils import timezone

from declaration.models import Comment, Version
from declaration.services import circulate_version
from delegations.models import Delegation
from delegations.services import issue_itinerary_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def circulated_v2(ashgabat, django_capture_on_commit_callbacks):
    draft = Version.objects.get(declaration__meeting=ashgabat, number=2)
    with django_capture_on_commit_callbacks(execute=False):
        circulate_version(draft, deadline=timezone.now() + datetime.timedelta(days=7))
    return draft


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


def test_comment_refused_fixed_edited_and_withdrawn(
    live_server, page, screenshot, circulated_v2
):
    kazakhstan = Delegation.objects.get(pk=1)
    link = issue_itinerary_link(kazakhstan)
    base = f"{live_server.url}/l/{link.token}/"
    paragraph = circulated_v2.paragraphs.get(position=11)
    page.goto(f"{base}?lang=en")
    button = page.locator(f"a.comment-on[data-paragraph='{paragraph.pk}']")
    button.click()  # the script chooses the paragraph, no reload
    form = page.locator(f"#comment-form-{circulated_v2.pk}")
    assert form.locator("select[name=paragraph]").input_value() == str(paragraph.pk)
    assert focused(page) == "text"

    form.locator("input[type=submit]").click()  # empty text
    page.wait_for_load_state()
    assert f"/declaration/{circulated_v2.pk}/comment/" in page.url
    assert focused(page) == "text"
    error = page.locator("#id_text_error")
    assert error.is_visible()
    assert "Write your comment" in error.inner_text()
    box = page.locator("textarea[name=text]").bounding_box()
    near = error.bounding_box()
    assert 0 <= near["y"] - (box["y"] + box["height"]) < 40  # right under it
    assert form.locator("select[name=paragraph]").input_value() == str(paragraph.pk)
    screenshot("refused-en")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("refused-en-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Русский").click()  # GET, not a re-POST
    page.wait_for_load_state()
    assert "Напишите замечание" in page.locator("#id_text_error").inner_text()
    screenshot("refused-ru")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("refused-ru-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("textarea[name=text]").fill("Добавить ссылку на пограничный контроль.")
    page.locator(f"#comment-form-{circulated_v2.pk} input[type=submit]").click()
    page.wait_for_load_state()
    comment = Comment.objects.get(version=circulated_v2, delegation=kazakhstan)
    assert page.url.endswith(f"?lang=ru#own-comment-{comment.pk}")
    own = page.locator(f"#own-comment-{comment.pk}")
    own.get_by_role("link", name="Изменить").click()
    page.wait_for_load_state()
    assert focused(page) is None or focused(page) in ("text", "kind", "language")
    page.locator("textarea[name=text]").fill("Добавить ссылку на границы.")
    screenshot("edit-ru")
    page.locator("input[name=save]").click()
    page.wait_for_load_state()
    comment.refresh_from_db()
    assert comment.text == "Добавить ссылку на границы."
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    own = page.locator(f"#own-comment-{comment.pk}")
    own.get_by_role("link", name="Withdraw").click()
    page.wait_for_load_state()
    screenshot("withdraw-en")
    page.get_by_role("button", name="Withdraw the comment").click()
    page.wait_for_load_state()
    comment.refresh_from_db()
    assert comment.withdrawn_at is not None
    assert "withdrawn" in page.locator(f"#own-comment-{comment.pk}").inner_text()
    page.locator(f"#own-comment-{comment.pk}").scroll_into_view_if_needed()
    screenshot("withdrawn-en")
