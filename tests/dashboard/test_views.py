"""The meeting dashboard: figures, the lists they link to, who sees what, queries."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from declaration.models import Version
from declaration.services import circulate_version
from delegations.models import AccessLink, Delegation
from delegations.services import issue_itinerary_link
from dialogue.outbox.models import Email
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    FlightLegFactory,
    HotelStayFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


def staff_client(client, group: str | None = None, superuser: bool = False):
    user = get_user_model().objects.create_user(
        f"u-{group}", is_staff=True, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


def figures(html: str) -> dict[str, tuple[str, str | None, str]]:
    """Return {label: (value, of, href)} of the dashboard's figures."""
    found = {}
    for href, value, of, label in re.findall(
        r'<a href="([^"]+)" class="figure[^"]*"><span class="figure-value">'
        r'([^<]+)(?:<span class="figure-of"> / ([^<]*)</span>)?</span> '
        r'<span class="figure-label">([^<]+)</span>',
        html,
    ):
        found[label] = (value, of or None, href.replace("&amp;", "&"))
    return found


def listed(client, href: str) -> int:
    """Return how many rows the admin list behind a figure shows."""
    response = client.get(href)
    assert response.status_code == 200, href
    return response.context["cl"].result_count


def test_dashboard_figures_link_to_the_lists_behind_them(client, ashgabat):
    Delegation.objects.filter(pk=2).update(invitation_status="invited")
    issue_itinerary_link(Delegation.objects.get(pk=1))
    AccessLink.objects.update(sent_at=timezone.now())
    Email.objects.create(
        meeting=ashgabat, kind="x", object_id=1, status="failed", error="refused"
    )
    client = staff_client(client, superuser=True)
    html = client.get("/admin/").content.decode()
    shown = figures(html)
    expected = {
        "invited": ("1", "8"),
        "confirmed": ("7", "8"),
        "declined": ("0", "8"),
        "funded delegates named, against the quota": ("15", "15"),
        # Kazakhstan's and Turkmenistan's notes verbales are approved; the
        # Tajik adviser's nomination waits.
        "accredited": ("6", "22"),
        "badges printed": ("0", "22"),
        "checked in": ("0", "22"),
        "nominations awaiting review": ("1", None),
        "credentials awaiting review": ("0", None),
        "flight legs ticketed": ("12", "24"),
        "delegates with a hotel booked": ("19", "22"),
        "links sent": ("1", "1"),
        "links opened": ("0", "1"),
        "packs ready": ("0", "0"),
        "packs stale (re-rendering)": ("0", "0"),
        "packs failed": ("0", "0"),
        "emails failed": ("1", None),
        # 6 comments, 2 decided on (one proposal taken, one superseded); the
        # new OP Kazakhstan proposes waits for the drafters
        "Ashgabat Declaration, version 1": ("4", None),
        # Check-ins at the door: the venue, and the working dinner always.
        "Entrance (the venue)": ("0", None),
        "Working dinner hosted by the Secretary-General and the Special "
        "Representative of the Secretary-General for Central Asia (13 June "
        "2017, 19:00)": ("0", None),
    }
    assert {label: shown[label][:2] for label in shown} == expected
    for label in expected:
        if label.startswith("packs"):
            continue  # the packs list is not a counted changelist in tests
        assert listed(client, shown[label][2]) == int(expected[label][0]), label


def test_russian_dashboard_labels_read_after_any_count(client, ashgabat):
    client = staff_client(client, superuser=True)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    shown = figures(html)
    assert shown["приглашение направлено"][:2] == ("0", "8")
    assert shown["участие подтверждено"][:2] == ("8", "8")
    assert shown["приглашение отклонено"][:2] == ("0", "8")
    assert "приглашена" not in shown


def test_dashboard_names_the_next_deadlines(
    client, ashgabat, django_capture_on_commit_callbacks
):
    draft = Version.objects.get(declaration__meeting=ashgabat, number=2)
    deadline = timezone.now() + datetime.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=False):
        circulate_version(draft, deadline=deadline)
    html = staff_client(client, "Drafters").get("/admin/").content.decode()
    deadlines = html[html.index('id="dashboard-deadlines"') :]
    assert "Comments on Ashgabat Declaration, version 2" in deadlines
    assert f'href="/admin/declaration/version/{draft.pk}/change/"' in deadlines


def test_drafters_see_the_declaration_figures_only(client, ashgabat):
    html = staff_client(client, "Drafters").get("/admin/").content.decode()
    assert set(figures(html)) == {
        "invited",
        "confirmed",
        "declined",
        "Ashgabat Declaration, version 1",
    }
    assert 'href="/admin/delegations/delegation/readiness/"' not in html


def test_secretariat_sees_every_figure_and_the_pages_in_the_navigation(
    client, ashgabat
):
    client = staff_client(client, "Secretariat")
    html = client.get("/admin/").content.decode()
    # 13, 3 accreditation statuses, 2 review queues, the venue's and dinner's check-ins
    assert len(figures(html)) == 20
    page = client.get("/admin/delegations/delegate/").content.decode()
    # Every admin page heads with them (no sidebar: it narrowed every list).
    assert 'id="nav-sidebar"' not in page
    start = page.index('id="nav-overview"')
    sidebar = page[start : page.index("</nav>", start)]
    for href in (
        "/admin/#dashboard",
        "/admin/delegations/delegation/readiness/",
        "/admin/travel/entitlement/budget/",
        "/admin/agenda/session/day/",
    ):
        assert f'href="{href}"' in sidebar, href


def test_dashboard_picks_a_meeting(client, ashgabat):
    later = MeetingFactory(
        start_date=datetime.date(2031, 5, 1), end_date=datetime.date(2031, 5, 2)
    )
    DelegationFactory(meeting=later)
    client = staff_client(client, "Secretariat")
    # The next meeting to come by default; any by the picker.
    assert figures(client.get("/admin/").content.decode())["invited"][1] == "1"
    html = client.get(f"/admin/?meeting={ashgabat.pk}").content.decode()
    assert figures(html)["confirmed"] == (
        "8",
        "8",
        f"/admin/delegations/delegation/?meeting__id__exact={ashgabat.pk}"
        "&invitation_status__exact=confirmed",
    )
    assert '<label for="dashboard-meeting">' in html
    assert client.get("/admin/?meeting=999999").status_code == 404
    assert client.get("/admin/?meeting=x").status_code == 404


def grow(meeting, n: int) -> None:
    for _ in range(n):
        delegation = DelegationFactory(meeting=meeting, country_code="")
        delegate = DelegateFactory(delegation=delegation, funded=True)
        FlightLegFactory(delegate=delegate)
        HotelStayFactory(delegate=delegate)
        issue_itinerary_link(delegate)


def test_dashboard_queries_do_not_grow_with_the_rows(client):
    meeting = MeetingFactory()
    client = staff_client(client, superuser=True)
    grow(meeting, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/").status_code == 200
    grow(meeting, 20)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/admin/").status_code == 200
    assert len(many) == len(few)
    shown = figures(client.get("/admin/").content.decode())
    assert shown["flight legs ticketed"][1] == "22"
