"""Access matrix of the accreditation URLs: every URL × every role.

A focal point reaches its own delegation's nomination pages only: a delegate
of another delegation, a delegate's own link, staff and a random token are
the same 404. The same holds for the travel request page; a flight change is
also open to a delegate's own link for their own flights. The review, book
and decline pages are the Secretariat's (its accreditation permissions).
The door's check-in page, its scanner endpoint and the holders' photos are
door staff's only (accreditation.check_in). A focal point's badge photo pages
are its own delegation's; the badge issue page is the Secretariat's
(issue_badge).
"""

import io

import pytest
from PIL import Image

from tests.access import AccessCase, matrix_ids, matrix_params, own_token, run_case

FOCAL_ONLY = {
    "anonymous": 404,
    "delegate_a": 404,
    "delegate_b": 404,
    "other_focal_point": 200,
    "drafter": 404,
    "secretariat": 404,
}
NOBODY = {**FOCAL_ONLY, "other_focal_point": 404}
SECRETARIAT = {
    "anonymous": 302,
    "delegate_a": 302,
    "delegate_b": 302,
    "other_focal_point": 302,
    "drafter": 403,
    "secretariat": 200,
}


# The door's check-in page: door staff only (accreditation.check_in); the
# Secretariat and every other staff member are refused (403); a delegate's
# or focal point's link logs no one in (the admin's login, 302).
DOOR_STAFF = {**SECRETARIAT, "secretariat": 403, "door_staff": 200}


def a_badge(world):
    from accreditation.models import Badge

    badge, _new = Badge.objects.get_or_create(
        delegate=world.delegate_a,
        defaults={
            "holder_name_latin": world.delegate_a.name_latin,
            "holder_name_cyrillic": world.delegate_a.name_cyrillic,
            "category": "member_state",
        },
    )
    return badge


def a_photo_url(world, role):
    from django.core.files.base import ContentFile

    from accreditation.models import BadgePhoto

    badge = a_badge(world)
    if not BadgePhoto.objects.filter(delegate=world.delegate_a).exists():
        photo = BadgePhoto(delegate=world.delegate_a)
        out = io.BytesIO()
        Image.new("RGB", (3, 4)).save(out, "PNG")
        photo.image.save("photo.png", ContentFile(out.getvalue()), save=True)
    return f"/admin/accreditation/checkin/door/photo/{badge.pk}/"


def own_delegate(world):
    """A delegate of the other focal point's own delegation."""
    return world.other_delegation.delegates.order_by("pk").first()


def a_request(world):
    from accreditation.models import NominationRequest

    request, _new = NominationRequest.objects.get_or_create(
        delegation=world.delegation,
        kind="add",
        defaults={
            "name_latin": "Aliya Bekova",
            "name_cyrillic": "Алия Бекова",
            "position_en": "Adviser",
            "position_ru": "Советник",
            "role": "adviser",
        },
    )
    return request


def a_document(delegation):
    """A small credentials PDF of the delegation, through the service."""
    import weasyprint

    from accreditation.models import Credentials
    from accreditation.services.credentials import submit_credentials

    existing = Credentials.objects.filter(delegation=delegation).first()
    if existing is not None:
        return existing
    data = weasyprint.HTML(string="<p>Note verbale</p>").write_pdf()
    return submit_credentials(
        delegation, kind="note_verbale", data=data, name="note-verbale.pdf"
    )


def a_flight(delegate):
    """A booked flight of the delegate (a change may be asked for it)."""
    from tests.factories import FlightLegFactory

    flight = delegate.flights.first()
    return flight or FlightLegFactory(delegate=delegate, status="booked")


def own_flight(world, role):
    """The role's own flight: its delegate's, or its delegation's."""
    if role == "delegate_a":
        return a_flight(world.delegate_a)
    if role == "delegate_b":
        return a_flight(world.delegate_b)
    return a_flight(own_delegate(world))


def a_travel_request(world):
    from accreditation.models import TravelRequest

    request, _new = TravelRequest.objects.get_or_create(
        delegate=world.delegate_a,
        defaults={
            "departure_city": "Astana",
            "departure_airport": "NQZ",
            "outbound_date": world.meeting.start_date,
            "return_date": world.meeting.end_date,
        },
    )
    return request


def a_change_request(world):
    from accreditation.models import FlightChangeRequest

    request, _new = FlightChangeRequest.objects.get_or_create(
        flight=a_flight(world.delegate_a),
        defaults={"requested_by": "delegate", "change": "A day later."},
    )
    return request


def person_url(view: str, whose):
    return lambda w, r: f"/l/{own_token(w, r)}/nominations/{view}/{whose(w).pk}/"


CASES = [
    AccessCase(
        "l/<str:token>/nominations/new/",
        lambda w, r: f"/l/{own_token(w, r)}/nominations/new/",
        FOCAL_ONLY,
    ),
    AccessCase(
        "l/<str:token>/nominations/replace/<str:delegate_id>/",
        person_url("replace", own_delegate),
        FOCAL_ONLY,
    ),
    # Another delegation's delegate: the same 404 for everyone.
    AccessCase(
        "l/<str:token>/nominations/replace/<str:delegate_id>/",
        person_url("replace", lambda w: w.delegate_a),
        NOBODY,
    ),
    AccessCase(
        "l/<str:token>/nominations/withdraw/<str:delegate_id>/",
        person_url("withdraw", own_delegate),
        FOCAL_ONLY,
    ),
    AccessCase(
        "l/<str:token>/nominations/withdraw/<str:delegate_id>/",
        person_url("withdraw", lambda w: w.delegate_a),
        NOBODY,
    ),
    # Travel: the focal point requests it for its own delegation's delegates.
    AccessCase(
        "l/<str:token>/travel/<str:delegate_id>/",
        lambda w, r: f"/l/{own_token(w, r)}/travel/{own_delegate(w).pk}/",
        FOCAL_ONLY,
    ),
    AccessCase(
        "l/<str:token>/travel/<str:delegate_id>/",
        lambda w, r: f"/l/{own_token(w, r)}/travel/{w.delegate_a.pk}/",
        NOBODY,
    ),
    # A change: a delegate for their own flights, a focal point for its
    # delegation's; a colleague's flight is the same 404 as any other.
    AccessCase(
        "l/<str:token>/flights/<str:leg_id>/change/",
        lambda w, r: f"/l/{own_token(w, r)}/flights/{own_flight(w, r).pk}/change/",
        {**FOCAL_ONLY, "delegate_a": 200, "delegate_b": 200},
    ),
    AccessCase(
        "l/<str:token>/flights/<str:leg_id>/change/",
        lambda w, r: (
            f"/l/{own_token(w, r)}/flights/{a_flight(w.delegate_a).pk}/change/"
        ),
        {**NOBODY, "delegate_a": 200},
    ),
    AccessCase(
        "admin/accreditation/travelrequest/<int:pk>/book/",
        lambda w, r: (
            f"/admin/accreditation/travelrequest/{a_travel_request(w).pk}/book/"
        ),
        SECRETARIAT,
    ),
    AccessCase(
        "admin/accreditation/travelrequest/<int:pk>/decline/",
        lambda w, r: (
            f"/admin/accreditation/travelrequest/{a_travel_request(w).pk}/decline/"
        ),
        SECRETARIAT,
    ),
    AccessCase(
        "admin/accreditation/flightchangerequest/<int:pk>/review/",
        lambda w, r: (
            f"/admin/accreditation/flightchangerequest/{a_change_request(w).pk}/review/"
        ),
        SECRETARIAT,
    ),
    AccessCase(
        "admin/accreditation/nominationrequest/<int:pk>/review/",
        lambda w, r: (
            f"/admin/accreditation/nominationrequest/{a_request(w).pk}/review/"
        ),
        SECRETARIAT,
    ),
    AccessCase(
        "l/<str:token>/credentials/",
        lambda w, r: f"/l/{own_token(w, r)}/credentials/",
        FOCAL_ONLY,
    ),
    AccessCase(
        "l/<str:token>/credentials/<str:credentials_id>/file/",
        lambda w, r: (
            f"/l/{own_token(w, r)}/credentials/"
            f"{a_document(w.other_delegation).pk}/file/"
        ),
        FOCAL_ONLY,
    ),
    # Another delegation's document: the same 404 for everyone.
    AccessCase(
        "l/<str:token>/credentials/<str:credentials_id>/file/",
        lambda w, r: (
            f"/l/{own_token(w, r)}/credentials/{a_document(w.delegation).pk}/file/"
        ),
        NOBODY,
    ),
    AccessCase(
        "admin/accreditation/credentials/<int:pk>/review/",
        lambda w, r: (
            f"/admin/accreditation/credentials/{a_document(w.delegation).pk}/review/"
        ),
        SECRETARIAT,
    ),
    AccessCase(
        "admin/accreditation/credentials/<int:pk>/file/",
        lambda w, r: (
            f"/admin/accreditation/credentials/{a_document(w.delegation).pk}/file/"
        ),
        SECRETARIAT,
    ),
    AccessCase(
        "admin/accreditation/checkin/door/",
        lambda w, r: "/admin/accreditation/checkin/door/",
        DOOR_STAFF,
    ),
    AccessCase(
        "admin/accreditation/checkin/door/",
        lambda w, r: "/admin/accreditation/checkin/door/",
        DOOR_STAFF,
        method="post",
        data={"door": "venue", "code": "not-a-badge"},
    ),
    AccessCase(
        "admin/accreditation/checkin/door/scan/",
        lambda w, r: "/admin/accreditation/checkin/door/scan/",
        {**DOOR_STAFF, "door_staff": 405},
    ),
    AccessCase(
        "admin/accreditation/checkin/door/scan/",
        lambda w, r: "/admin/accreditation/checkin/door/scan/",
        DOOR_STAFF,
        method="post",
        data={"door": "venue", "code": "not-a-badge"},
    ),
    AccessCase(
        "admin/accreditation/checkin/door/photo/<int:badge_id>/",
        a_photo_url,
        DOOR_STAFF,
    ),
    # The record of check-ins: the Secretariat reads it; door staff do not.
    AccessCase(
        "admin/accreditation/checkin/",
        lambda w, r: "/admin/accreditation/checkin/",
        {**SECRETARIAT, "door_staff": 403},
    ),
    # Badge photos: the focal point of the delegate's own delegation only.
    AccessCase(
        "l/<str:token>/badge-photo/<str:delegate_id>/",
        lambda w, r: f"/l/{own_token(w, r)}/badge-photo/{own_delegate(w).pk}/",
        FOCAL_ONLY,
    ),
    AccessCase(
        "l/<str:token>/badge-photo/<str:delegate_id>/",
        lambda w, r: f"/l/{own_token(w, r)}/badge-photo/{w.delegate_a.pk}/",
        NOBODY,
    ),
    AccessCase(
        "l/<str:token>/badge-photo/<str:delegate_id>/",
        lambda w, r: f"/l/{own_token(w, r)}/badge-photo/{w.delegate_a.pk}/",
        NOBODY,
        method="post",
    ),
    AccessCase(
        "admin/accreditation/badge/issue/",
        lambda w, r: "/admin/accreditation/badge/issue/",
        SECRETARIAT,
    ),
]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, case, role, media_root):
    run_case(world, case, role)


def test_a_focal_point_cannot_withdraw_another_delegations_delegate(world):
    from accreditation.models import NominationRequest

    client = world.clients["other_focal_point"]
    token = world.token("other_focal_point")
    response = client.post(f"/l/{token}/nominations/withdraw/{world.delegate_a.pk}/")
    assert response.status_code == 404
    assert not NominationRequest.objects.exists()


def test_a_delegate_cannot_ask_to_change_a_colleagues_flight(world):
    from accreditation.models import FlightChangeRequest

    flight = a_flight(world.delegate_a)
    response = world.clients["delegate_b"].post(
        f"/l/{world.token('delegate_b')}/flights/{flight.pk}/change/",
        {"change": "Later."},
    )
    assert response.status_code == 404
    assert not FlightChangeRequest.objects.exists()
