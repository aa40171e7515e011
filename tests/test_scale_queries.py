"""The staff pages cost the same number of queries for a small meeting as for
one four times its size: nothing is read row by row.

Both meetings come from the generator bench/scale.py measures at conference
scale (tests/scale.py); each page is read once for the smaller meeting to warm
the process's caches (content types, permissions), then counted on both.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from tests.scale import focal_point_page, generate_conference, staff_pages

SMALL = dict(delegations=3, participants=24, sessions=9, paragraphs=6, comments=24)
LARGE = dict(delegations=12, participants=240, sessions=30, paragraphs=12, comments=240)

# Queries of one request, the same at both sizes.
STAFF_PAGE_QUERIES = {
    "delegates list, one meeting": 10,
    "delegates list, funded, open legs": 10,
    "delegates searched «Karimov»": 10,
    "delegates searched «Каримов»": 10,
    "readiness board": 10,
    "budget": 16,
    # 16, 3 for accreditation (statuses, nominations, credentials), 2 for check-ins
    "dashboard": 21,
    "day view (agenda), first day": 13,
    "a version's comments": 12,
}
# 18, one each for nominations and credentials, two for travel; one to count
# the delegation for its pages of delegates, one for the programme's audience
# (the whole delegation), five for the programme's outline before the six that
# read the speakers of the sessions it shows in full; one for the link as a
# kept page reads it first (delegations.selectors.page_link).
FOCAL_POINT_PAGE_QUERIES = 30


@pytest.fixture
def conferences(db):
    small = generate_conference(**SMALL, slug="scale-small")
    large = generate_conference(**LARGE, slug="scale-large")
    assert small.counts["participants"] == 24
    assert large.counts["participants"] == 240
    assert large.counts["largest delegation"] == 4 * small.counts["largest delegation"]
    return small, large


@pytest.fixture
def secretariat():
    user = get_user_model().objects.create_user(
        username="secretary", password=None, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Secretariat"))
    client = Client()
    client.force_login(user)
    return client


def test_staff_pages_queries_do_not_grow_with_the_meeting(
    conferences, secretariat, django_assert_num_queries
):
    small, large = conferences
    pages = list(zip(staff_pages(small), staff_pages(large), strict=True))
    assert [label for (label, _url), _ in pages] == list(STAFF_PAGE_QUERIES)
    for (label, small_url), (_label, large_url) in pages:
        assert secretariat.get(small_url).status_code == 200, label
        for url in (small_url, large_url):
            with django_assert_num_queries(STAFF_PAGE_QUERIES[label]):
                response = secretariat.get(url)
            assert response.status_code == 200, label


def test_focal_point_page_queries_do_not_grow_with_the_delegation(
    conferences, django_assert_num_queries
):
    small, large = conferences
    # Warmed with another delegation's page, so that no page is read twice.
    other = small.delegations[1].pk
    assert Client().get(f"/l/{small.focal_point_tokens[other]}/").status_code == 200
    for conference in (small, large):
        _label, url = focal_point_page(conference)
        with django_assert_num_queries(FOCAL_POINT_PAGE_QUERIES):
            response = Client().get(url)
        assert response.status_code == 200
