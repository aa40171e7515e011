"""The drafters' comments page at conference size: whole paragraphs, in pages."""

import re

from declaration.models import Paragraph
from declaration.selectors import comments_page, page_paragraphs
from tests.scale import generate_conference


def test_page_paragraphs_end_a_page_once_it_holds_enough_comments():
    paragraphs = [Paragraph(pk=pk, position=pk) for pk in range(1, 7)]
    counts = {1: 3, 2: 0, 3: 4, 4: 1, 6: 9}
    pages = page_paragraphs(paragraphs, counts, per_page=4)
    assert [[p.pk for p in page] for page in pages] == [[1, 2, 3], [4, 5, 6]]
    assert page_paragraphs([], {}, per_page=4) == [[]]


def test_comments_page_by_number_or_by_paragraph(db, django_assert_num_queries):
    conference = generate_conference(
        delegations=4, participants=28, sessions=3, paragraphs=6, comments=60
    )
    version = conference.version  # ten comments on each of six paragraphs
    with django_assert_num_queries(4):
        first = comments_page(version, per_page=25)
    assert (first.number, first.count, first.total) == (1, 2, 60)
    assert first.pages == [("PP1", "OP2"), ("OP3", "OP5")]
    assert [len(g.comments) for g in first.groups] == [10, 10, 10]
    assert first.delegations == ["State 000", "State 001", "State 002"]
    assert (first.previous, first.next) == (None, 2)
    second = comments_page(version, page=2, per_page=25)
    assert [g.paragraph.label for g in second.groups] == ["OP3", "OP4", "OP5"]
    assert (second.previous, second.next) == (1, None)
    op4 = second.groups[1].paragraph
    assert comments_page(version, paragraph_id=op4.pk, per_page=25).number == 2
    assert comments_page(version, page=9, per_page=25).number == 1


def test_comments_view_pages_and_links_each_page(db, client, django_user_model):
    from django.contrib.auth.models import Group

    conference = generate_conference(
        delegations=4, participants=28, sessions=3, paragraphs=60, comments=300
    )
    user = django_user_model.objects.create_user(username="d", is_staff=True)
    user.groups.add(Group.objects.get(name="Drafters"))
    client.force_login(user)
    url = f"/admin/declaration/version/{conference.version.pk}/comments/"
    html = client.get(url, {"page": 2}).content.decode()
    shown = re.findall(
        r'<div class="comment-group" id="paragraph-\d+">\s*<h3>(\w+)', html
    )
    # 5 comments a paragraph: 20 paragraphs a page of 100.
    assert shown == [f"OP{n}" for n in range(11, 31)]
    assert "Page 2 of 3" in html
    assert '<a href="?page=1">PP1–OP10</a>' in html
    assert '<strong aria-current="page">OP11–OP30</strong>' in html
    assert '<a class="button" href="?page=3" rel="next">Next page</a>' in html
    assert "300 comments" in html
