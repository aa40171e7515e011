"""The 2017 meeting's accreditation, as the fixture describes it."""

import pytest
from django.test import Client

from accreditation.credentials import check_credentials_file
from accreditation.models import Badge, Credentials, NominationRequest
from accreditation.tokens import badge_serial, badge_token
from delegations.models import Delegate
from delegations.services import issue_itinerary_link

pytestmark = pytest.mark.django_db


def test_a_pending_adviser_of_tajikistan_and_a_returned_replacement(ashgabat):
    pending = NominationRequest.objects.get(status="pending")
    assert (pending.delegation.country_code, pending.kind, pending.role) == (
        "TJ",
        "add",
        "adviser",
    )
    returned = NominationRequest.objects.get(status="returned")
    assert (returned.kind, returned.target.name_latin) == (
        "replace",
        "Emil Sultanbekov",
    )
    assert returned.reason
    assert returned.history.count() == 2  # sent, then returned


def test_two_notes_verbales_are_real_pdfs_their_focal_points_can_open(ashgabat):
    documents = Credentials.objects.order_by("pk")
    assert [d.delegation.country_code for d in documents] == ["KZ", "TM"]
    for document in documents:
        data = document.file.open("rb").read()
        assert check_credentials_file(data) == document.pages == 1
        assert document.size == len(data)
        token = issue_itinerary_link(document.delegation).token
        response = Client().get(f"/l/{token}/credentials/{document.pk}/file/")
        assert b"".join(response.streaming_content) == data
        accredited = set(document.accredited.values_list("pk", flat=True))
        assert accredited == set(
            Delegate.objects.filter(delegation=document.delegation).values_list(
                "pk", flat=True
            )
        )


def test_the_accredited_have_badges_whose_tokens_verify(ashgabat):
    accredited = Delegate.objects.filter(accreditation="accredited")
    assert accredited.count() == 6
    for delegate in accredited:
        badge = Badge.objects.get(delegate=delegate, revoked_at__isnull=True)
        assert badge.holder_name_cyrillic == delegate.name_cyrillic
        assert badge_serial(badge_token(badge)) == badge.serial
    assert not Badge.objects.filter(delegate__accreditation="nominated").exists()


def test_each_fixture_badge_has_its_own_door_code(ashgabat):
    from accreditation.selectors.checkin import badge_for_code
    from accreditation.tokens import door_code

    badges = list(Badge.objects.all())
    assert len({door_code(b) for b in badges}) == len(badges)
    assert all(badge_for_code(door_code(b)) == b for b in badges)
