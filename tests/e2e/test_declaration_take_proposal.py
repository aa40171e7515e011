"""A focal point proposes wording; the drafter takes it into the next draft,
and the focal point's page says so."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from declaration.models import Comment, Version
from declaration.services import circulate_version
from delegations.models import Delegation
from delegations.services import issue_itinerary_link
from tests.e2e.test_declaration_comment import drafters_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDING = (
    "Agree to strengthen regional cooperation, including the prompt exchange of "
    "information, good practices and border management expertise;"
)


@pytest.fixture
def circulated_v2(ashgabat, django_capture_on_commit_callbacks):
    draft = Version.objects.get(declaration__meeting=ashgabat, number=2)
    with django_capture_on_commit_callbacks(execute=False):
        circulate_version(draft, deadline=timezone.now() + datetime.timedelta(days=7))
    return draft


def test_focal_point_proposes_and_drafter_takes_it_into_the_draft(
    live_server, page, screenshot, circulated_v2
):
    kazakhstan = Delegation.objects.get(pk=1)
    link = issue_itinerary_link(kazakhstan)
    paragraph = circulated_v2.paragraphs.get(position=11)  # OP4: cooperation
    page.goto(f"{live_server.url}/l/{link.token}/?lang=en")
    # The comment button beside OP4 chooses the paragraph in the form.
    page.locator(f"#para-{paragraph.pk} .comment-on").click()
    form = page.locator(f"#comment-form-{circulated_v2.pk}")
    form.locator("input[name=kind][value=proposal]").check()
    form.locator("select[name=language]").select_option("en")
    form.locator("textarea[name=text]").fill(WORDING)
    form.locator("input[type=submit]").click()
    page.wait_for_load_state()
    proposal = Comment.objects.get(version=circulated_v2, delegation=kazakhstan)
    assert (proposal.kind, proposal.paragraph_id) == ("proposal", paragraph.pk)

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
    page.locator(f"#comment-{proposal.pk} a.button").click()
    # No draft yet: one click starts version 3 from version 2.
    page.locator("#content input[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#proposal-diff ins").count() >= 1
    screenshot("drafter-take")
    page.locator("input[name=outcome][value=taken]").check()
    page.fill("textarea[name=reply]", "Taken as proposed.")
    page.locator("#content input[type=submit].default").click()
    page.wait_for_load_state()
    assert "into version 3" in page.locator(f"#comment-{proposal.pk}").inner_text()

    draft = Version.objects.get(declaration=circulated_v2.declaration, number=3)
    taken = draft.paragraphs.get(text_en=WORDING)
    assert taken.text_ru == paragraph.text_ru  # English only: Russian kept
    proposal.refresh_from_db()
    assert (proposal.outcome, proposal.taken_paragraph) == ("taken", taken)

    page.goto(f"{live_server.url}/l/{link.token}/?lang=en")
    outcome = page.locator(f"#outcome-{proposal.pk}")
    assert "Taken into version 3" in outcome.inner_text()
    assert "Taken as proposed." in outcome.inner_text()
    outcome.scroll_into_view_if_needed()
    screenshot("focal-point-outcome")


NEW_OP = (
    "Encourage the financial intelligence units of our States to exchange "
    "experience in countering the financing of terrorism;"
)


def test_focal_point_proposes_a_new_op_and_the_diff_shows_it_as_new(
    live_server, page, screenshot, circulated_v2
):
    kazakhstan = Delegation.objects.get(pk=1)
    link = issue_itinerary_link(kazakhstan)
    anchor = circulated_v2.paragraphs.get(position=11)  # OP4
    page.goto(f"{live_server.url}/l/{link.token}/?lang=en")
    page.locator(f"#para-{anchor.pk} .comment-on").click()
    form = page.locator(f"#comment-form-{circulated_v2.pk}")
    # The amendment's own fields show for their kind only.
    assert not form.locator("#div_id_new_kind").is_visible()
    form.locator("input[name=kind][value=insert]").check()
    assert form.locator("#div_id_new_kind").is_visible()
    assert not form.locator("#div_id_target").is_visible()
    # Sent without saying which kind of paragraph: the field says what is missing.
    form.locator("textarea[name=text]").fill(NEW_OP)
    form.locator("input[type=submit]").click()
    page.wait_for_load_state()
    form = page.locator(f"#comment-form-{circulated_v2.pk}")
    assert "Choose whether the new paragraph is preambular or operative." in (
        form.inner_text()
    )
    assert form.locator("textarea[name=text]").input_value() == NEW_OP  # kept
    form.locator("input[name=new_kind][value=operative]").check()
    form.locator("input[type=submit]").click()
    page.wait_for_load_state()
    proposal = Comment.objects.get(version=circulated_v2, delegation=kazakhstan)
    assert (proposal.kind, proposal.new_kind, proposal.reference) == (
        "insert",
        "operative",
        "KZ-1",
    )
    own = page.locator(f"#own-comment-{proposal.pk}")
    assert "KZ-1 · new OP after OP4" in own.inner_text()

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
    assert "new OP after OP4" in page.locator(f"#comment-{proposal.pk}").inner_text()
    page.locator(f"#comment-{proposal.pk} a.button").click()
    page.locator("#content input[type=submit]").click()  # start draft v3
    page.wait_for_load_state()
    assert page.locator("#amendment-summary").inner_text() == "new OP after OP4"
    page.locator("input[name=outcome][value=taken]").check()
    page.select_option("select[name=languages]", "both")
    page.fill("textarea[name=text_ru]", "призываем подразделения финансовой разведки;")
    screenshot("drafter-take-new-op")
    page.locator("#content input[type=submit].default").click()
    page.wait_for_load_state()
    assert "into version 3" in page.locator(f"#comment-{proposal.pk}").inner_text()

    draft = Version.objects.get(declaration=circulated_v2.declaration, number=3)
    new = draft.paragraphs.get(text_en=NEW_OP)
    assert (new.position, new.kind) == (anchor.position + 1, "operative")
    page.goto(
        f"{live_server.url}/admin/declaration/version/diff/"
        f"?old={circulated_v2.pk}&new={draft.pk}&lang=en"
    )
    added = page.locator(".diff-added", has_text=NEW_OP)
    assert "new OP" in added.inner_text()
    added.scroll_into_view_if_needed()
    screenshot("diff-new-op")
