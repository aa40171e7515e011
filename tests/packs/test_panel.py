"""The packs panel of the participant pages reads a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.selectors import active_link
from delegations.services import issue_itinerary_link
from dialogue.packs.models import Pack
from dialogue.packs.panel import packs_panel
from tests.factories import DelegateFactory, DelegationFactory
from tests.packs.conftest import make_pack_file

pytestmark = pytest.mark.django_db


def with_packs(delegation, languages):
    for language in languages:
        make_pack_file(
            Pack(meeting=delegation.meeting, delegation=delegation, language=language)
        )


def panel_queries(link) -> tuple[int, dict]:
    link = active_link(link.token)  # as the participant page reads it
    with CaptureQueriesContext(connection) as queries:
        panel = packs_panel(link, [], "en")
    return len(queries), panel


def test_packs_panel_one_query_for_one_pack_or_every_edition(media_root):
    one, many = DelegateFactory(), DelegateFactory()
    with_packs(one.delegation, ["en"])
    with_packs(many.delegation, ["bilingual", "ru", "en"])
    # Packs of other delegations and a visa letter are not read.
    with_packs(DelegationFactory(meeting=many.delegation.meeting), ["en", "ru"])
    make_pack_file(
        Pack(
            meeting=many.delegation.meeting,
            delegation=many.delegation,
            delegate=many,
            kind="visa_letter",
            language="bilingual",
        )
    )

    count_one, panel_one = panel_queries(issue_itinerary_link(one))
    count_many, panel_many = panel_queries(issue_itinerary_link(many))

    assert (count_one, count_many) == (1, 1)
    assert [p.language for p in panel_one["packs"]] == ["en"]
    assert [p.language for p in panel_many["packs"]] == ["en", "ru", "bilingual"]


def test_packs_panel_focal_point_link_same_queries(media_root):
    delegate = DelegateFactory()
    with_packs(delegate.delegation, ["en", "ru", "bilingual"])
    count, panel = panel_queries(issue_itinerary_link(delegate.delegation))
    assert count == 1
    assert len(panel["packs"]) == 3


def test_packs_panel_absent_until_a_pack_is_ready(media_root):
    delegate = DelegateFactory()
    Pack.objects.create(
        meeting=delegate.delegation.meeting,
        delegation=delegate.delegation,
        language="en",
    )  # queued: no file yet
    count, panel = panel_queries(issue_itinerary_link(delegate))
    assert (count, panel) == (1, None)


def test_participant_page_same_queries_with_one_pack_or_many(client, media_root):
    one, many = DelegateFactory(), DelegateFactory()
    with_packs(one.delegation, ["en"])
    with_packs(many.delegation, ["en", "ru", "bilingual"])
    counts = []
    for delegate in (one, many):
        link = issue_itinerary_link(delegate)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/l/{link.token}/", {"lang": "en"})
        assert response.status_code == 200
        assert f"/l/{link.token}/pack/en.pdf" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
