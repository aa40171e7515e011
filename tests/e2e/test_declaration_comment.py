"""A focal point comments on the circulated draft; a drafter sees it in the admin."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from declaration.models import Comment, Version
from declaration.services import circulate_version
from delegations.models import Delegation
from delegations.services import issue_itinerary_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drafters_group() -> Group:
    """Return the Drafters group; a transactional test run before this one may
    have flushed the rows the data migrations made (permissions come back)."""
    group, _ = Group.objects.get_or_create(name="Drafters")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="declaration")
    )
    return group


@pytest.fixture
def circulated_v2(ashgabat, django_capture_on_commit_callbacks):
    """The 2017 fixture with version 2 circulated, open for comments."""
    draft = Version.objects.get(declaration__meeting=ashgabat, number=2)
    with django_capture_on_commit_callbacks(execute=False):
        circulate_version(draft, deadline=timezone.now() + datetime.timedelta(days=7))
    return draft


def test_focal_point_comments_and_drafter_sees_it(
    live_server, page, screenshot, circulated_v2
):
    kazakhstan = Delegation.objects.get(pk=1)
    link = issue_itinerary_link(kazakhstan)
    page.goto(f"{live_server.url}/l/{link.token}/?lang=ru")
    panel = page.locator(f"#declaration-{circulated_v2.declaration_id}")
    assert "Ашхабадская декларация" in panel.locator("h2").inner_text()
    assert panel.locator(".diff-moved").count() == 1
    assert panel.locator(".diff-added").count() == 1
    panel.scroll_into_view_if_needed()
    screenshot("focal-point-ru")

    form = page.locator(f"#comment-form-{circulated_v2.pk}")
    paragraph = circulated_v2.paragraphs.get(position=11)  # OP4: cooperation
    form.locator("select[name=paragraph]").select_option(str(paragraph.pk))
    form.locator("input[name=kind][value=proposal]").check()
    form.locator("textarea[name=text]").fill(
        "договариваемся укреплять региональное сотрудничество, в том числе "
        "в сфере пограничного контроля и противодействия финансированию терроризма;"
    )
    form.locator("input[type=submit]").click()
    page.wait_for_load_state()
    assert "замечание (п. 4) направлено редакторам" in page.content()
    screenshot("focal-point-ru-sent")
    page.goto(f"{live_server.url}/l/{link.token}/?lang=en")
    screenshot("focal-point-en")
    assert (
        Comment.objects.filter(version=circulated_v2, delegation=kazakhstan).count()
        == 1
    )

    drafter = get_user_model().objects.create_user(
        "drafter", password="e2e-pass-123", is_staff=True
    )
    drafter.groups.add(drafters_group())
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "drafter")
    page.fill("input[name=password]", "e2e-pass-123")
    page.click("input[type=submit]")
    page.goto(
        f"{live_server.url}/admin/declaration/version/{circulated_v2.pk}/comments/"
    )
    group = page.locator(f"#paragraph-{paragraph.pk}")
    assert group.locator("h3").inner_text() == "OP4"
    assert group.locator(".comment-delegation").all_inner_texts() == ["Kazakhstan"]
    assert "пограничного контроля" in group.inner_text()
    screenshot("drafter-comments")
    page.goto(
        f"{live_server.url}/admin/declaration/version/diff/?old=1&new="
        f"{circulated_v2.pk}&lang=en"
    )
    screenshot("drafter-diff")
