"""A pack's state on a kept link page (delegations.page_cache): the packs
change it with QuerySet.update, which sends no signal, and say so through
dialogue.changes.documents_made."""

import pytest

from delegations.services import issue_itinerary_link
from dialogue.changes import documents_made
from dialogue.packs.models import Pack
from tests.factories import DelegateFactory
from tests.packs.conftest import make_pack_file

pytestmark = pytest.mark.django_db

ON_ITS_WAY = "a newer version is on its way"


def test_a_pack_made_shows_on_the_kept_page_once_told(client, media_root):
    delegate = DelegateFactory()
    delegation = delegate.delegation
    pack = make_pack_file(
        Pack(meeting=delegation.meeting, delegation=delegation, language="en")
    )
    link = issue_itinerary_link(delegate)
    assert ON_ITS_WAY not in client.get(f"/l/{link.token}/?lang=en").content.decode()
    Pack.objects.filter(pk=pack.pk).update(status=Pack.Status.QUEUED)
    documents_made(delegation.meeting_id, delegation_ids=[delegation.pk])
    assert ON_ITS_WAY in client.get(f"/l/{link.token}/?lang=en").content.decode()


def test_a_pack_saved_shows_on_the_kept_page(client, media_root):
    delegate = DelegateFactory()
    delegation = delegate.delegation
    link = issue_itinerary_link(delegate)
    assert "briefing-pack" not in client.get(f"/l/{link.token}/").content.decode()
    make_pack_file(
        Pack(meeting=delegation.meeting, delegation=delegation, language="en")
    )  # Pack.save(): post_save tells the page
    assert "briefing-pack" in client.get(f"/l/{link.token}/").content.decode()


def test_services_that_change_a_pack_tell_the_kept_page(client, media_root):
    from dialogue.packs.services import record_pack_failure, requeue_packs

    delegate = DelegateFactory()
    delegation = delegate.delegation
    pack = make_pack_file(
        Pack(meeting=delegation.meeting, delegation=delegation, language="en")
    )
    link = issue_itinerary_link(delegate)
    url = f"/l/{link.token}/?lang=en"
    assert ON_ITS_WAY not in client.get(url).content.decode()
    requeue_packs([pack])  # a QuerySet.update inside: queued
    assert ON_ITS_WAY in client.get(url).content.decode()
    Pack.objects.filter(pk=pack.pk).update(status=Pack.Status.RENDERING)
    record_pack_failure(reason="Gave up", final=True, pack_id=pack.pk)
    assert Pack.objects.get(pk=pack.pk).status == Pack.Status.FAILED
    assert ON_ITS_WAY not in client.get(url).content.decode()
