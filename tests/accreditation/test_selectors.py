"""The focal point's panel reads its requests in one query and keeps every
waiting one, however many have been answered since."""

import pytest
from django.contrib.auth import get_user_model

from accreditation.selectors.nominations import pending_targets, requests_of_delegation
from accreditation.services.nominations import return_request, submit_request
from tests.accreditation.test_nominations import ADVISER
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = pytest.mark.django_db


def test_a_waiting_request_older_than_the_latest_shows_in_one_query(
    django_assert_num_queries,
):
    delegation = DelegationFactory(country_code="TJ", funded_quota=2)
    adviser = DelegateFactory(delegation=delegation, meeting=delegation.meeting)
    reviewer = get_user_model().objects.create_user("secretary", is_staff=True)
    waiting = submit_request(delegation, kind="withdraw", target=adviser)
    for n in range(3):
        answered = submit_request(
            delegation, kind="add", data={**ADVISER, "email": f"a{n}@mfa.example"}
        )
        return_request(answered, reviewer=reviewer, reason="Send the note first.")

    with django_assert_num_queries(1):
        requests = requests_of_delegation(delegation, limit=2)
        names = [r.target.name_latin for r in requests if r.target]
    assert len(requests) == 3  # the latest two, and the waiting one
    assert requests[-1] == waiting
    assert names == [adviser.name_latin]
    assert pending_targets(requests) == {adviser.pk}
