import io

import pytest
from django.core.management import CommandError, call_command

from delegations.models import AccessLink
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("itinerary_links", *args, stdout=out)
    return out.getvalue().splitlines()


def test_itinerary_links_prints_email_tab_link_per_delegate(settings):
    settings.SITE_URL = "https://dialogue.example.org"
    delegate = DelegateFactory(email="minister@mfa.example")
    lines = run("--meeting", delegate.meeting.slug)
    link = AccessLink.objects.get(delegate=delegate)
    assert lines == [
        f"minister@mfa.example\thttps://dialogue.example.org/l/{link.token}/"
    ]
    assert run("--meeting", delegate.meeting.slug) == lines  # stable


def test_itinerary_links_reissue_replaces_links():
    delegate = DelegateFactory()
    first = run("--meeting", delegate.meeting.slug)
    second = run("--meeting", delegate.meeting.slug, "--reissue")
    assert first != second
    assert AccessLink.objects.filter(delegate=delegate, revoked_at=None).count() == 1


def test_itinerary_links_focal_points_one_line_per_delegation():
    delegation = DelegationFactory(focal_point_email="protocol@mfa.example")
    DelegateFactory.create_batch(2, delegation=delegation)
    lines = run("--meeting", delegation.meeting.slug, "--focal-points")
    assert len(lines) == 1
    assert lines[0].startswith("protocol@mfa.example\thttp")


def test_itinerary_links_unknown_meeting_names_option():
    with pytest.raises(CommandError) as excinfo:
        run("--meeting", "nowhere")
    assert str(excinfo.value) == "--meeting: no meeting with slug 'nowhere'"
