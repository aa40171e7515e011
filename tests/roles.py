"""The roles of the access matrix, each a ready test client.

Roles: anonymous, delegate A, delegate B (same delegation), the focal point of
another delegation, a drafter (staff without travel permissions), secretariat.

EXTRA_ROLES are asked about only by the cases that name them: the transport
officer (staff who see the day's pickups and nothing else) and door staff
(who check badges in at the door and do nothing else).
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from delegations.services import issue_itinerary_link
from tests.factories import DelegateFactory, DelegationFactory, MeetingFactory

ROLES = [
    "anonymous",
    "delegate_a",
    "delegate_b",
    "other_focal_point",
    "drafter",
    "secretariat",
]
EXTRA_ROLES = ["transport_officer", "door_staff"]


@dataclass
class World:
    """One meeting, two delegations, and a client per role."""

    meeting: object
    delegation: object
    other_delegation: object
    delegate_a: object
    delegate_b: object
    links: dict
    clients: dict

    def token(self, role: str) -> str:
        return self.links[role].token


def staff_user(username: str, group: str):
    user = get_user_model().objects.create_user(
        username=username, password=None, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def world(db) -> World:
    meeting = MeetingFactory()
    delegation = DelegationFactory(meeting=meeting, country_code="KZ")
    other = DelegationFactory(meeting=meeting, country_code="KG")
    delegate_a = DelegateFactory(delegation=delegation, funded=True)
    delegate_b = DelegateFactory(delegation=delegation)
    DelegateFactory(delegation=other)
    links = {
        "delegate_a": issue_itinerary_link(delegate_a),
        "delegate_b": issue_itinerary_link(delegate_b),
        "focal_point": issue_itinerary_link(delegation),
        "other_focal_point": issue_itinerary_link(other),
    }
    clients = {role: Client() for role in ROLES + EXTRA_ROLES}
    clients["drafter"].force_login(staff_user("drafter", "Drafters"))
    clients["secretariat"].force_login(staff_user("secretary", "Secretariat"))
    clients["transport_officer"].force_login(
        staff_user("transport", "Transport officers")
    )
    clients["door_staff"].force_login(staff_user("door", "Door staff"))
    return World(meeting, delegation, other, delegate_a, delegate_b, links, clients)
