"""axe-core in Chromium on every participant page and every custom admin page,
in English and Russian: no serious or critical violation; at 1366 px no admin
page scrolls sideways; the comment form and the import preview work with the
keyboard alone.

axe-core comes from the npm registry (package.json; `make setup` runs npm ci
into node_modules/). Its source is evaluated in the page through the DevTools
protocol, which the page's Content-Security-Policy does not govern: the pages
are checked under their real policy.
"""

import datetime
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from declaration.models import Version
from declaration.services import circulate_version, start_silence
from delegations.models import Delegate, Delegation, ImportJob
from delegations.services import issue_itinerary_link
from dialogue.models import Meeting
from tests.services import need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def axe_source() -> str:
    need(AXE.exists(), f"needs axe-core: run `make setup` (npm ci) for {AXE}")
    return AXE.read_text(encoding="utf-8")


def blocking_violations(page, source: str) -> list[dict]:
    """Run axe-core on the page; return its serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(url: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{url}: {v['impact']} {v['id']} ({len(v['nodes'])}): {v['help']}")
        for node in v["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {json.dumps(node['target'])}: {summary[:300]}")
    return "\n".join(lines)


def check_pages(page, base: str, paths: list[str], screenshot, tag: str) -> list[str]:
    """Return every blocking violation found on the pages, described."""
    source = axe_source()
    found = []
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, f"{path}: {response.status}"
        violations = blocking_violations(page, source)
        if violations:
            found.append(describe(path, violations))
    return found


@pytest.fixture
def world(ashgabat, django_capture_on_commit_callbacks, settings, tmp_path):
    """The 2017 Dialogue with version 2 open for comments, the programme
    published, links for a delegate and a focal point, and a previewed import."""
    settings.MEDIA_ROOT = tmp_path / "media"
    Meeting.objects.filter(pk=ashgabat.pk).update(publish_programme=True)
    draft = Version.objects.get(declaration__meeting=ashgabat, number=2)
    with django_capture_on_commit_callbacks(execute=False):
        circulate_version(draft, deadline=timezone.now() + datetime.timedelta(days=7))
        # Under silence too: the focal point's page shows the objection form.
        start_silence(draft, until=timezone.now() + datetime.timedelta(days=3))
    kazakhstan = Delegation.objects.get(pk=1)
    delegate = Delegate.objects.filter(delegation=kazakhstan, funded=True).first()
    admin = get_user_model().objects.create_superuser("root", "r@example.org", None)
    share_v2_compilation(draft, admin)
    job = ImportJob.objects.create(
        user=admin,
        meeting=ashgabat,
        kind=ImportJob.Kind.DELEGATES,
        file_name="import-tmp/none.csv",
        original_name="delegates.csv",
        file_format=ImportJob.Format.CSV,
        phase=ImportJob.Phase.PREVIEW,
        status=ImportJob.Status.PREVIEWED,
        rows_total=1,
        rows_new=1,
        preview={
            "headers": ["Name (Latin script)", "Delegation", "Email"],
            "rows": [
                {
                    "row": 2,
                    "type": "new",
                    "cells": ["Aigerim Nurlanova", "Kazakhstan", "a@example.org"],
                }
            ],
        },
    )
    from dialogue.packs.models import Pack

    # A pack list with the longest delegation names, in both languages.
    for delegation in Delegation.objects.filter(meeting=ashgabat):
        Pack.objects.create(
            meeting=ashgabat, delegation=delegation, language="bilingual"
        )
    # The travel lists' page with a list that failed (its retry button).
    for kind, status in (("manifest", "failed"), ("rooming", "queued")):
        Pack.objects.create(
            meeting=ashgabat,
            kind=kind,
            language="ru",
            file_format="pdf",
            status=status,
            error="Boom" if status == "failed" else "",
        )
    # A note verbale waiting for review (the fixture's two are approved).
    from accreditation.fixture_files import note_verbale_pdf
    from accreditation.models import Credentials
    from accreditation.services.credentials import submit_credentials

    waiting = submit_credentials(
        Delegation.objects.get(pk=5),
        kind="note_verbale",
        data=note_verbale_pdf(Credentials.objects.get(pk=1)),
        name="NV-UZ-2017-0077.pdf",
    )
    # Badges: the fixture's are issued; a delegation's sheet failed (its retry).
    Pack.objects.create(
        meeting=ashgabat,
        delegation=kazakhstan,
        kind="badges",
        language="bilingual",
        status="failed",
        error="Boom",
    )
    return {
        "large_link": large_delegation_link(),
        "credentials": waiting,
        "meeting": ashgabat,
        "version": draft,
        "delegate": delegate,
        "delegation": kazakhstan,
        "delegate_link": issue_itinerary_link(delegate),
        "focal_link": issue_itinerary_link(kazakhstan),
        "session": ashgabat.sessions.order_by("start_at").first(),
        "admin": admin,
        "job": job,
    }


def share_v2_compilation(version, drafter) -> None:
    """Uzbekistan proposes a new OP on version 2; the compilation of comments
    is rendered and shared, so the focal points' page shows both."""
    from declaration.services import (
        add_comment,
        render_compilation,
        request_compilation,
        share_compilation,
    )

    add_comment(
        version,
        delegation=Delegation.objects.get(pk=5),
        paragraph_id=version.paragraphs.get(position=11).pk,
        kind="insert",
        new_kind="operative",
        language="ru",
        text="призываем расширять обмен опытом между подразделениями "
        "финансовой разведки;",
    )
    compilation = request_compilation(version, by=drafter)
    render_compilation(compilation.pk)
    compilation.refresh_from_db()
    share_compilation(compilation, by=drafter)


def large_delegation_link():
    """A focal point's link to a delegation of two pages of delegates, in a
    meeting of a long programme (its sessions a line each, but its own)."""
    from agenda.panels import SESSIONS_IN_FULL
    from agenda.services import add_speaking_slot
    from delegations.selectors import DELEGATES_PER_PAGE
    from tests.agenda.factories import RoomFactory, SessionFactory, at
    from tests.factories import DelegateFactory, DelegationFactory, MeetingFactory

    meeting = MeetingFactory()
    delegation = DelegationFactory(meeting=meeting, country_code="TJ")
    members = [
        DelegateFactory(delegation=delegation, sort_order=index)
        for index in range(DELEGATES_PER_PAGE + 5)
    ]
    guest = DelegateFactory(
        delegation=DelegationFactory(meeting=meeting, country_code="UZ")
    )
    for index in range(SESSIONS_IN_FULL + 5):
        session = SessionFactory(
            meeting=meeting,
            room=RoomFactory(meeting=meeting),
            start_at=at(9) + datetime.timedelta(minutes=10 * index),
            end_at=at(9) + datetime.timedelta(minutes=10 * index + 10),
        )
        add_speaking_slot(session, speaker=members[index % 3], minutes=5)
        if index % 4 == 0:
            continue
        add_speaking_slot(session, speaker=guest, minutes=5)
    return issue_itinerary_link(delegation)


def participant_paths(world) -> list[str]:
    delegate, focal = world["delegate_link"].token, world["focal_link"].token
    version = world["version"]
    first = version.paragraphs.order_by("position").first()
    return [
        "/",
        f"/l/{delegate}/",
        f"/l/{delegate}/details/",
        f"/l/{focal}/",
        f"/l/{focal}/declaration/{version.pk}/comment/?paragraph={first.pk}",
        f"/programme/{world['meeting'].slug}/",
        f"/l/{focal}/nominations/new/",
        f"/l/{focal}/nominations/replace/{world['delegate'].pk}/",
        f"/l/{focal}/nominations/withdraw/{world['delegate'].pk}/",
        f"/l/{focal}/credentials/",
        f"/l/{focal}/badge-photo/{world['delegate'].pk}/",
        f"/l/{world['large_link'].token}/?page=2",
    ]


def admin_paths(world) -> list[str]:
    from dialogue.packs.selectors import pack_list_url

    meeting, version = world["meeting"], world["version"]
    delegate, delegation = world["delegate"], world["delegation"]
    return [
        "/admin/",
        f"/admin/?meeting={meeting.pk}",
        "/admin/delegations/delegation/readiness/",
        "/admin/travel/entitlement/budget/",
        "/admin/travel/visafee/add/",
        "/admin/travel/entitlement/",
        "/admin/agenda/session/day/",
        f"/admin/agenda/session/{world['session'].pk}/speakers/",
        f"/admin/delegations/delegate/{delegate.pk}/change/",
        f"/admin/delegations/delegation/{delegation.pk}/change/",
        f"/admin/delegations/delegate/?delegation__meeting__id__exact={meeting.pk}",
        "/admin/delegations/delegation/",
        "/admin/delegations/flightleg/",
        "/admin/delegations/accesslink/",
        "/admin/delegations/delegate/import/",
        f"/admin/delegations/delegate/import/{world['job'].pk}/",
        "/admin/declaration/comment/",
        f"/admin/declaration/version/{version.pk}/change/",
        f"/admin/declaration/version/{version.pk}/comments/",
        # v1: the fixture's conflicting proposals side by side
        f"/admin/declaration/version/{version.pk - 1}/comments/",
        "/admin/declaration/comment/5/decide/",
        # the fixture's new OP (an insert proposal), and v1's compilation
        # section before it is rendered
        "/admin/declaration/comment/6/decide/",
        f"/admin/declaration/version/{version.pk - 1}/change/",
        f"/admin/declaration/version/{version.pk}/silence/",
        f"/admin/declaration/version/{version.pk}/text/",
        f"/admin/declaration/version/diff/?old={version.pk - 1}&new={version.pk}"
        "&lang=en",
        f"/admin/agenda/session/{world['session'].pk}/change/",
        pack_list_url(),
        "/admin/outbox/email/",
        f"/admin/declaration/version/{version.pk}/adopt/",
        f"/admin/declaration/version/{version.pk}/extend-deadline/",
        "/admin/packs/pack/travel-lists/",
        "/admin/delegations/delegation/pickups/?day=2017-06-12",
        "/admin/accreditation/nominationrequest/",
        "/admin/accreditation/nominationrequest/1/change/",
        "/admin/accreditation/nominationrequest/1/review/",
        "/admin/accreditation/nominationrequest/2/review/",
        "/admin/accreditation/credentials/",
        f"/admin/accreditation/credentials/{world['credentials'].pk}/change/",
        f"/admin/accreditation/credentials/{world['credentials'].pk}/review/",
        "/admin/accreditation/credentials/1/review/",
        "/admin/accreditation/checkin/door/",
        "/admin/accreditation/checkin/",
        "/admin/accreditation/badge/",
        "/admin/accreditation/badge/issue/",
        "/admin/packs/pack/badges/",
    ]


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


def set_language(page, live_server, lang: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": lang, "url": live_server.url}]
    )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_participant_pages_have_no_serious_violation(
    live_server, page, screenshot, world, lang
):
    set_language(page, live_server, lang)
    paths = [
        f"{p}{'&' if '?' in p else '?'}lang={lang}" for p in participant_paths(world)
    ]
    found = check_pages(page, live_server.url, paths, screenshot, lang)
    assert found == [], "\n" + "\n".join(found)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_admin_pages_have_no_serious_violation(
    live_server, page, screenshot, world, lang
):
    log_in(page, live_server, world["admin"])
    set_language(page, live_server, lang)
    found = check_pages(page, live_server.url, admin_paths(world), screenshot, lang)
    assert found == [], "\n" + "\n".join(found)


def test_two_factor_login_has_no_serious_violation(live_server, page, settings, db):
    settings.STAFF_TWO_FACTOR = True
    found = []
    for lang in ("en", "ru"):
        set_language(page, live_server, lang)
        found += check_pages(page, live_server.url, ["/admin/login/"], None, lang)
    assert found == [], "\n" + "\n".join(found)


# Lists whose last columns were cut off at 1366 px (the delegates' email, the
# comments' text, the packs' seconds): they fit, not only scroll in their box.
FITTING_LISTS = (
    "/admin/delegations/delegate/",
    "/admin/declaration/comment/",
    "/admin/packs/pack/",
    "/admin/delegations/flightleg/",
    "/admin/declaration/version/",
    "/admin/agenda/session/",
    "/admin/delegations/delegation/",
)
PAGE_WIDTH = "() => document.scrollingElement.scrollWidth"


def test_admin_pages_do_not_scroll_sideways_at_1366(live_server, page, world):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, world["admin"])
    wide, clipped, raw_zones = {}, {}, []
    for lang in ("en", "ru"):
        set_language(page, live_server, lang)
        for path in admin_paths(world):
            page.goto(live_server.url + path)
            width = page.evaluate(PAGE_WIDTH)
            if width > DESKTOP["width"]:
                wide[f"{lang} {path}"] = width
            # Zones are named for people everywhere ("Ashgabat time (UTC+5)").
            if "Asia/" in page.evaluate("() => document.body.innerText"):
                raw_zones.append(f"{lang} {path}")
        for path in FITTING_LISTS:
            page.goto(live_server.url + path)
            box = page.evaluate(
                "() => { const r = document.querySelector('#changelist .results');"
                " return [r.scrollWidth, r.clientWidth]; }"
            )
            if box[0] > box[1]:
                clipped[f"{lang} {path}"] = box
        # The delegate's flights, stays and transfers, the delegation's
        # delegates: every column of the inlines shows (2,911 px wide once).
        for path in (
            f"/admin/delegations/delegate/{world['delegate'].pk}/change/",
            f"/admin/delegations/delegation/{world['delegation'].pk}/change/",
        ):
            page.goto(live_server.url + path)
            boxes = page.evaluate(
                "() => [...document.querySelectorAll('.inline-group fieldset.module')]"
                ".map(f => [f.scrollWidth, f.clientWidth])"
            )
            assert boxes, path
            if any(inner > outer for inner, outer in boxes):
                clipped[f"{lang} {path}"] = boxes
    assert (wide, clipped, raw_zones) == ({}, {}, [])


def test_pages_fit_a_phone(live_server, page, world):
    """At 390 px no page scrolls sideways: the readiness board, the day view,
    the speakers' list and the recent imports reflow into cards."""
    page.set_viewport_size(PHONE)
    log_in(page, live_server, world["admin"])
    wide = {}
    for lang in ("en", "ru"):
        set_language(page, live_server, lang)
        participant = [
            f"{p}{'&' if '?' in p else '?'}lang={lang}"
            for p in participant_paths(world)
        ]
        for path in admin_paths(world) + participant:
            page.goto(live_server.url + path)
            width = page.evaluate(PAGE_WIDTH)
            if width > PHONE["width"]:
                wide[f"{lang} {path}"] = width
    assert wide == {}
    page.goto(live_server.url + "/admin/delegations/delegation/readiness/")
    # Each stacked cell says which column it is.
    assert page.locator("#readiness td[data-label]").count() > 0
    assert page.locator("#readiness thead").bounding_box()["width"] <= 1


def test_a_long_session_title_stays_clear_of_the_history_button(
    live_server, page, world
):
    from agenda.models import Session

    session = world["session"]
    Session.objects.filter(pk=session.pk).update(
        title_en="Working dinner hosted by the Secretary-General and the Special "
        "Representative of the Secretary-General for Central Asia, with the "
        "Ministers of Foreign Affairs of the five Central Asian States"
    )
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, world["admin"])
    page.goto(f"{live_server.url}/admin/agenda/session/{session.pk}/change/")
    title = page.locator("#content h2").first.bounding_box()
    tools = page.locator(".object-tools").first.bounding_box()
    overlap = (
        title["x"] < tools["x"] + tools["width"]
        and tools["x"] < title["x"] + title["width"]
        and title["y"] < tools["y"] + tools["height"]
        and tools["y"] < title["y"] + title["height"]
    )
    assert not overlap, (title, tools)


def tab_to(page, selector: str, limit: int = 600) -> None:
    """Press Tab until the element matching the selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)",
            selector,
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_comment_form_works_with_the_keyboard_alone(live_server, page, world):
    from declaration.models import Comment

    version = world["version"]
    page.goto(f"{live_server.url}/l/{world['focal_link'].token}/?lang=en")
    form = f"#comment-form-{version.pk}"
    tab_to(page, f"{form} select[name=paragraph]")
    page.keyboard.press("ArrowDown")
    tab_to(page, f"{form} input[name=kind]")
    tab_to(page, f"{form} textarea[name=text]")
    page.keyboard.type("Typed with the keyboard alone.")
    tab_to(page, f"{form} [type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    comment = Comment.objects.get(version=version, delegation=world["delegation"])
    assert comment.text == "Typed with the keyboard alone."


def test_import_preview_is_confirmed_with_the_keyboard(
    live_server, page, world, tmp_path
):
    from tests.delegations.test_resources import (
        DELEGATE_HEADER,
        delegate_row,
        to_csv,
    )

    log_in(page, live_server, world["admin"])
    path = tmp_path / "delegates.csv"
    rows = [delegate_row(n, delegation="KZ") for n in (1, 2)]
    path.write_bytes(to_csv(DELEGATE_HEADER, rows))
    page.goto(f"{live_server.url}/admin/delegations/delegate/import/")
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", label="csv")
    with page.expect_navigation():
        page.click("input[type=submit]")
    # Checked in this process (tasks run eagerly in tests): the preview is there.
    page.wait_for_selector("#import-summary", timeout=30_000)
    tab_to(page, "input[name=confirm]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("#import-result", timeout=30_000)
    assert Delegate.objects.filter(name_latin__startswith="Aidar Nurlanov").count() == 2


def test_speaking_order_reflows_on_a_phone(live_server, page, world):
    page.set_viewport_size(PHONE)
    for lang in ("en", "ru"):
        token = world["delegate_link"].token
        page.goto(f"{live_server.url}/l/{token}/?lang={lang}")
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
        subject = page.locator("table.speakers td[data-label]").nth(3)
        box = subject.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390


def test_pages_of_delegates_turn_with_the_keyboard(live_server, page, world):
    page.goto(f"{live_server.url}/l/{world['large_link'].token}/?lang=ru")
    tab_to(page, "nav.pager a[rel=next]")
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2**")
    current = page.locator("nav.pager [aria-current=page]").first.text_content()
    assert " ".join(current.split()) == "страница 2"
    assert page.locator("article.delegate-card").count() == 5
