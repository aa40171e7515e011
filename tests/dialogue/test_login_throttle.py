import pytest
from django.contrib.auth import get_user_model


@pytest.mark.django_db
def test_staff_login_locked_after_repeated_failures(client, settings):
    get_user_model().objects.create_user(
        "staff", password="right-password", is_staff=True
    )
    statuses = [
        client.post(
            "/admin/login/?next=/admin/", {"username": "staff", "password": "wrong"}
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post(
        "/admin/login/?next=/admin/",
        {"username": "staff", "password": "right-password"},
    )
    assert locked.status_code == 429
    assert "Sign-in temporarily locked" in locked.content.decode()
