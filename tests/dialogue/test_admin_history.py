"""History pages of the admin are read-only for everybody."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from simple_history.admin import SimpleHistoryAdmin

from dialogue.admin_history import ReadOnlyHistoryAdmin
from dialogue.models import Meeting

pytestmark = pytest.mark.django_db


def test_every_history_admin_is_read_only():
    loose = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin)
        and not isinstance(model_admin, ReadOnlyHistoryAdmin)
    ]
    assert loose == []


def history_url(world, model: str, obj) -> str:
    record = obj.history.order_by("history_id").first()
    return f"/admin/{model}/{obj.pk}/history/{record.history_id}/"


def test_drafter_cannot_change_delegation_through_history_page(world):
    world.delegation.focal_point_email = "protocol@mfa.example"
    world.delegation.save()
    url = history_url(world, "delegations/delegation", world.delegation)
    drafter = world.clients["drafter"]
    assert drafter.get(url).status_code == 200
    response = drafter.post(
        url, {"focal_point_email": "attacker@evil.example", "funded_quota": "9"}
    )
    assert response.status_code == 403
    world.delegation.refresh_from_db()
    assert world.delegation.focal_point_email == "protocol@mfa.example"


def test_superuser_cannot_revert_meeting_through_history_page(world, client):
    world.meeting.save()  # a history row to open
    root = get_user_model().objects.create_superuser("root", "r@example.org", None)
    client.force_login(root)
    url = history_url(world, "dialogue/meeting", world.meeting)
    response = client.post(url, {"publish_programme": "on"})
    assert response.status_code == 403
    assert Meeting.objects.get(pk=world.meeting.pk).publish_programme is False
