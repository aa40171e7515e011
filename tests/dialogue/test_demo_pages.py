"""The demo data as people see it: one way to write dates and zones, names in
the interface's language, and a declaration version open for comments."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from declaration.models import Circulation, Comment, Version
from delegations.models import Delegation
from delegations.services import issue_itinerary_link, link_url
from dialogue.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("bootstrap_demo", verbosity=0)
    return Meeting.objects.get(slug="ashgabat-2017")


@pytest.fixture
def admin_client(client, demo):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def ru(client, url, **params):
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="ru").content.decode()


def test_bootstrap_demo_circulates_version_2_once_with_a_future_deadline(demo):
    version = Version.objects.get(declaration__meeting=demo, number=2)
    assert version.status == Version.Status.CIRCULATED
    ahead = version.comment_deadline - timezone.now()
    assert datetime.timedelta(days=13) < ahead < datetime.timedelta(days=15)
    circulations = Circulation.objects.filter(version=version).count()
    assert circulations > 0

    call_command("bootstrap_demo", verbosity=0)

    version.refresh_from_db()
    assert version.status == Version.Status.CIRCULATED
    assert Circulation.objects.filter(version=version).count() == circulations


def test_readiness_board_in_russian_names_delegations_in_russian(admin_client):
    html = ru(admin_client, "/admin/delegations/delegation/readiness/")
    assert "Казахстан" in html
    assert ">Kazakhstan<" not in html


def test_budget_in_russian_names_delegations_in_russian(admin_client):
    html = ru(admin_client, "/admin/travel/entitlement/budget/")
    assert "Казахстан" in html
    assert "Kazakhstan" not in html


def test_delegation_filter_and_str_follow_the_language(admin_client, demo):
    from django.utils import translation

    kazakhstan = Delegation.objects.get(meeting=demo, country_code="KZ")
    with translation.override("ru"):
        assert str(kazakhstan) == "Казахстан"
        assert str(demo).endswith("(2017)")
        assert str(demo) == f"{demo.short_title_ru} (2017)"
    with translation.override("en"):
        assert str(kazakhstan) == "Kazakhstan"
    html = ru(admin_client, "/admin/delegations/delegate/")
    assert "Казахстан" in html


def test_comment_list_labels_paragraphs_and_times_truly(admin_client, demo):
    comment = (
        Comment.objects.filter(version__number=1)
        .select_related("paragraph")
        .order_by("created_at")
        .first()
    )
    html = admin_client.get(
        "/admin/declaration/comment/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert not re.search(r">paragraph \d+<", html)
    assert re.search(r">(PP|OP)\d+<", html)
    local = timezone.localtime(comment.created_at, demo.tzinfo)
    assert f"{local:%H:%M} Ashgabat time (UTC+5)" in html
    assert " UTC<" not in html

    page = admin_client.get(
        f"/admin/declaration/version/{comment.version_id}/comments/",
        HTTP_ACCEPT_LANGUAGE="ru",
    ).content.decode()
    assert "по ашхабадскому времени (UTC+5)" in page
    assert " UTC" not in page


def test_delegate_page_writes_dates_by_the_rule(client, demo):
    delegation = Delegation.objects.get(meeting=demo, country_code="KZ")
    link = issue_itinerary_link(delegation)
    html = client.get(link_url(link) + "?lang=ru").content.decode()
    assert "по ашхабадскому времени (UTC+5)" in html
    assert re.search(r"\d{1,2} [а-я]+ 20\d\d г\., \d\d:\d\d", html)
    html = client.get(link_url(link) + "?lang=en").content.decode()
    assert "Ashgabat time (UTC+5)" in html


def test_no_page_of_the_demo_prints_a_zone_key(admin_client, client, demo):
    delegation = Delegation.objects.get(meeting=demo, country_code="KZ")
    delegate = delegation.delegates.first()
    version = Version.objects.get(declaration__meeting=demo, number=2)
    pages = [
        "/admin/delegations/delegation/readiness/",
        "/admin/travel/entitlement/budget/",
        "/admin/declaration/comment/",
        f"/admin/declaration/version/{version.pk}/change/",
        f"/admin/declaration/version/{version.pk}/comments/",
        "/admin/agenda/session/",
        "/admin/agenda/session/day/",
        f"/admin/delegations/delegate/{delegate.pk}/change/",
    ]
    for url in pages:
        for lang in ("en", "ru"):
            html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
            assert not re.search(r"\b(Asia|Europe|America)/[A-Z]", html), (url, lang)
    for link in (issue_itinerary_link(delegation), issue_itinerary_link(delegate)):
        for lang in ("en", "ru"):
            html = client.get(f"{link_url(link)}?lang={lang}").content.decode()
            assert not re.search(r"\b(Asia|Europe|America)/[A-Z]", html), lang
