"""Check-in at the door: the service's answers, the page, the scanner's
endpoint, the photo and who may use them (accreditation.services.checkin,
accreditation.views.checkin)."""

import datetime
import io
import json
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from accreditation.models import Badge, BadgePhoto, CheckIn
from accreditation.selectors.checkin import (
    badge_for_code,
    check_in_counts,
    invitations_shown,
)
from accreditation.services.checkin import Reason, State, check_in
from accreditation.tokens import badge_token, door_code
from delegations.models import Delegate
from delegations.services import issue_itinerary_link
from tests.agenda.factories import SessionFactory, at
from tests.factories import DelegateFactory, DelegationFactory, MeetingFactory

pytestmark = pytest.mark.django_db

DOOR = "/admin/accreditation/checkin/door/"
SCAN = "/admin/accreditation/checkin/door/scan/"


def make_badge(delegate: Delegate | None = None, **fields) -> Badge:
    """A badge as the badge service would issue it (rows made directly here)."""
    if delegate is not None:
        fields.setdefault("holder_name_latin", delegate.name_latin)
        fields.setdefault("holder_name_cyrillic", delegate.name_cyrillic)
    fields.setdefault("holder_name_latin", "Staff Member")
    fields.setdefault("holder_name_cyrillic", "Сотрудник")
    fields.setdefault("category", Badge.Category.MEMBER_STATE)
    return Badge.objects.create(delegate=delegate, **fields)


def staff(username: str, group: str | None = None):
    user = get_user_model().objects.create_user(
        username=username, first_name=username.title(), is_staff=True
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def meeting(db):
    return MeetingFactory()


@pytest.fixture
def delegation(meeting):
    return DelegationFactory(
        meeting=meeting, name_en="Tajikistan", name_ru="Таджикистан"
    )


@pytest.fixture
def delegate(delegation):
    return DelegateFactory(
        delegation=delegation,
        name_latin="Sirojiddin Muhriddin",
        name_cyrillic="Сироджиддин Мухриддин",
        role="adviser",
    )


@pytest.fixture
def badge(delegate):
    return make_badge(delegate)


@pytest.fixture
def doorkeeper(db):
    return staff("doorkeeper", "Door staff")


@pytest.fixture
def door_client(doorkeeper):
    client = Client()
    client.force_login(doorkeeper)
    return client


# The service -------------------------------------------------------------------


def test_a_badge_is_checked_in_once_however_often_it_is_scanned(
    meeting, badge, doorkeeper
):
    token = badge_token(badge)
    first = check_in(token, by=doorkeeper, meeting=meeting)
    assert (first.state, first.reason, first.created) == (
        State.GREEN,
        Reason.CHECKED_IN,
        True,
    )
    other = staff("second")
    again = [check_in(token, by=other, meeting=meeting) for _ in range(3)]
    assert {(a.state, a.reason) for a in again} == {(State.GREEN, Reason.ALREADY)}
    # The earlier check-in is the one reported: its time and staff member.
    assert all(a.check_in.pk == first.check_in.pk for a in again)
    assert again[0].check_in.checked_in_by == doorkeeper
    assert CheckIn.objects.count() == 1
    row = CheckIn.objects.get()
    assert (row.badge, row.meeting, row.session) == (badge, meeting, None)
    assert abs(row.checked_in_at - timezone.now()) < datetime.timedelta(minutes=1)
    badge.delegate.refresh_from_db()
    assert badge.delegate.accreditation == "checked_in"


def test_once_at_the_venue_and_once_per_session(meeting, badge, doorkeeper):
    token = badge_token(badge)
    morning = SessionFactory(meeting=meeting)
    dinner = SessionFactory(
        meeting=meeting, kind="dinner", start_at=at(19), end_at=at(21)
    )
    reasons = [
        check_in(token, by=doorkeeper, meeting=meeting).reason,
        check_in(token, by=doorkeeper, session=morning).reason,
        check_in(token, by=doorkeeper, session=dinner).reason,
        check_in(token, by=doorkeeper, session=morning).reason,
        check_in(token, by=doorkeeper, meeting=meeting).reason,
    ]
    assert reasons == ["checked_in"] * 3 + ["already"] * 2
    assert CheckIn.objects.filter(badge=badge).count() == 3
    counts = {row.session: row.count for row in check_in_counts(meeting)}
    assert counts == {None: 1, morning: 1, dinner: 1}
    assert [row.dinner for row in check_in_counts(meeting)] == [False, False, True]
    # A session nobody was checked in at is left out; the dinner never is.
    SessionFactory(meeting=meeting)
    CheckIn.objects.filter(session=dinner).delete()
    counts = {row.session: row.count for row in check_in_counts(meeting)}
    assert counts == {None: 1, morning: 1, dinner: 0}


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("revoked", "revoked"), ("replaced", "replaced"), ("withdrawn", "withdrawn")],
)
def test_a_revoked_badge_answers_red_and_records_nothing(
    meeting, badge, doorkeeper, reason, expected
):
    Badge.objects.filter(pk=badge.pk).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    result = check_in(badge_token(badge), by=doorkeeper, meeting=meeting)
    assert (result.state, result.reason, result.created) == ("red", expected, False)
    assert not CheckIn.objects.exists()
    badge.delegate.refresh_from_db()
    assert badge.delegate.accreditation == "nominated"


def test_a_withdrawn_delegates_badge_still_answers_withdrawn(
    meeting, badge, doorkeeper
):
    # As the nominations service leaves it: the delegate's row gone, the
    # badge revoked with the holder's names.
    Badge.objects.filter(pk=badge.pk).update(
        revoked_at=timezone.now(), revoked_reason="withdrawn"
    )
    badge.delegate.delete()
    result = check_in(badge_token(badge), by=doorkeeper, meeting=meeting)
    assert (result.state, result.reason) == ("red", "withdrawn")
    assert result.badge.holder_name_latin == "Sirojiddin Muhriddin"
    assert not CheckIn.objects.exists()


def test_a_checked_in_badge_revoked_later_turns_red(meeting, badge, doorkeeper):
    token = badge_token(badge)
    assert check_in(token, by=doorkeeper, meeting=meeting).state == "green"
    Badge.objects.filter(pk=badge.pk).update(
        revoked_at=timezone.now(), revoked_reason="revoked"
    )
    assert check_in(token, by=doorkeeper, meeting=meeting).reason == "revoked"


@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: ("0" if t[0] != "0" else "1") + t[1:],  # serial changed
        lambda t: t.split(":")[0],  # signature cut off
        lambda t: signing.Signer().sign(t.split(":")[0]),  # another salt
        lambda t: "",
        lambda t: "https://example.org/",
        lambda t: "\x00" * 40,
    ],
    ids=["signature", "serial", "unsigned", "other-salt", "empty", "url", "junk"],
)
def test_an_altered_or_foreign_code_is_refused(meeting, badge, doorkeeper, alter):
    result = check_in(alter(badge_token(badge)), by=doorkeeper, meeting=meeting)
    assert (result.state, result.reason, result.badge) == ("red", "unknown", None)
    assert not CheckIn.objects.exists()


def test_a_deleted_badges_code_is_unknown(meeting, badge, doorkeeper):
    token = badge_token(badge)
    badge.delete()
    assert check_in(token, by=doorkeeper, meeting=meeting).reason == "unknown"


def test_a_badge_of_another_meeting_is_red(badge, doorkeeper):
    elsewhere = MeetingFactory()
    result = check_in(badge_token(badge), by=doorkeeper, meeting=elsewhere)
    assert (result.state, result.reason) == ("red", "other_meeting")
    assert not CheckIn.objects.exists()


def test_not_invited_to_the_session_is_amber_and_not_recorded(
    meeting, badge, delegation, doorkeeper
):
    other = DelegationFactory(meeting=meeting)
    closed = SessionFactory(meeting=meeting, invitation="chosen")
    closed.invited_delegations.add(other)
    heads = SessionFactory(meeting=meeting, invitation="heads")
    token = badge_token(badge)
    for session in (closed, heads):  # the delegate is an adviser
        result = check_in(token, by=doorkeeper, session=session)
        assert (result.state, result.reason) == ("amber", "not_invited")
    assert not CheckIn.objects.exists()
    closed.invited_delegations.add(delegation)
    assert check_in(token, by=doorkeeper, session=closed).reason == "checked_in"


def test_staff_badges_pass_every_session(meeting, doorkeeper):
    closed = SessionFactory(meeting=meeting, invitation="chosen")
    guard = make_badge(category=Badge.Category.SECURITY)
    press = make_badge(category=Badge.Category.MEDIA, holder_name_latin="Press")
    assert check_in(badge_token(guard), by=doorkeeper, session=closed).created
    result = check_in(badge_token(press), by=doorkeeper, session=closed)
    assert result.reason == "not_invited"
    assert check_in(badge_token(press), by=doorkeeper, meeting=meeting).created


def test_the_answer_shows_the_session_in_progress_and_the_dinner(meeting, badge):
    current = SessionFactory(meeting=meeting, start_at=at(10), end_at=at(12))
    dinner = SessionFactory(
        meeting=meeting,
        kind="dinner",
        invitation="heads",
        start_at=at(19),
        end_at=at(21),
    )
    shown = invitations_shown(badge, meeting, now=at(11))
    assert [(i.session, i.invited, i.dinner) for i in shown] == [
        (current, True, False),
        (dinner, False, True),  # heads of delegation only; an adviser
    ]


def test_a_session_of_another_meeting_is_a_programming_error(badge, doorkeeper):
    session = SessionFactory()
    with pytest.raises(ValueError):
        check_in(
            badge_token(badge), by=doorkeeper, session=session, meeting=MeetingFactory()
        )


# The page and the scanner's endpoint ----------------------------------------------


def test_the_door_page_checks_a_typed_code_in_once(door_client, meeting, badge):
    page = door_client.get(DOOR)
    assert page.status_code == 200
    assert "private" in page["Cache-Control"]
    html = page.content.decode()
    assert 'id="door-code"' in html and 'aria-live="assertive"' in html
    assert "vendor/jsqr/jsQR.js" in html and "checkin_door.js" in html
    data = {"meeting": meeting.pk, "door": "venue", "code": f"  {badge_token(badge)} "}
    first = door_client.post(DOOR, data)
    assert first.status_code == 200
    html = first.content.decode()
    assert 'data-state="green"' in html and "Checked in" in html
    for text in ("Sirojiddin Muhriddin", "Сироджиддин Мухриддин", "Tajikistan"):
        assert text in html
    assert "Member State" in html and "No photo on file" in html
    second = door_client.post(DOOR, data).content.decode()
    assert "Already checked in" in second and "by Doorkeeper" in second
    assert CheckIn.objects.count() == 1


def test_the_short_code_printed_under_the_qr_code_can_be_typed(
    door_client, meeting, badge, django_assert_max_num_queries
):
    code = door_code(badge)
    assert len(code) == 14 and code == code.upper()  # "3F2A-91C0-7B4D"
    typed = f" {code.lower().replace('-', ' ')} "  # as a hurried doorkeeper types
    with django_assert_max_num_queries(1):
        assert badge_for_code(typed) == badge
    assert badge_for_code(code[:-1]) is None  # one digit short
    assert badge_for_code("ZZZZ-ZZZZ-ZZZZ") is None
    html = door_client.post(
        DOOR, {"meeting": meeting.pk, "door": "venue", "code": typed}
    ).content.decode()
    assert 'data-state="green"' in html and "Checked in" in html
    assert CheckIn.objects.filter(badge=badge).count() == 1


def test_a_door_code_shared_by_two_badges_names_neither(meeting, badge):
    twin = make_badge(
        DelegateFactory(delegation=badge.delegate.delegation),
        serial=uuid.UUID(badge.serial.hex[:12] + "0" * 20),
    )
    assert door_code(twin) == door_code(badge)
    assert badge_for_code(door_code(badge)) is None
    # The signed token still tells them apart.
    assert badge_for_code(badge_token(twin)) == twin


def test_the_door_page_in_russian(door_client, meeting, badge):
    door_client.cookies["django_language"] = "ru"
    data = {"meeting": meeting.pk, "door": "venue", "code": badge_token(badge)}
    html = door_client.post(DOOR, data).content.decode()
    assert "Таджикистан" in html
    assert "Регистрация на входе" in html  # the page's title
    assert "Регистрация отмечена" in html


def test_an_empty_code_names_the_field_and_writes_nothing(door_client, meeting):
    response = door_client.post(DOOR, {"meeting": meeting.pk, "door": "venue"})
    assert response.status_code == 400
    assert "Badge code" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_an_unknown_session_or_meeting_is_404(door_client, meeting, badge):
    elsewhere = SessionFactory()  # another meeting's session
    code = badge_token(badge)
    for data in (
        {"meeting": meeting.pk, "door": elsewhere.pk, "code": code},
        {"meeting": meeting.pk, "door": "x", "code": code},
        {"meeting": 999999, "door": "venue", "code": code},
    ):
        assert door_client.post(SCAN, data).status_code == 404
    assert not CheckIn.objects.exists()


def test_the_scanner_endpoint_answers_json_and_records_once(
    door_client, meeting, badge
):
    session = SessionFactory(meeting=meeting)
    data = {"meeting": meeting.pk, "door": session.pk, "code": badge_token(badge)}
    answers = [door_client.post(SCAN, data).json() for _ in range(4)]
    assert [a["reason"] for a in answers] == ["checked_in"] + ["already"] * 3
    assert {a["state"] for a in answers} == {"green"}
    assert "Sirojiddin Muhriddin" in answers[0]["html"]
    assert CheckIn.objects.get().session == session


def test_the_scanner_endpoint_answers_red_for_a_revoked_badge(
    door_client, meeting, badge
):
    Badge.objects.filter(pk=badge.pk).update(
        revoked_at=timezone.now(), revoked_reason="revoked"
    )
    data = {"meeting": meeting.pk, "door": "venue", "code": badge_token(badge)}
    answer = door_client.post(SCAN, data).json()
    assert (answer["state"], answer["reason"]) == ("red", "revoked")
    assert "Badge revoked" in answer["html"] and 'data-state="red"' in answer["html"]


def test_the_scanner_endpoint_takes_post_only(door_client, meeting, badge):
    response = door_client.get(
        SCAN, {"meeting": meeting.pk, "code": badge_token(badge)}
    )
    assert response.status_code == 405
    assert not CheckIn.objects.exists()


def test_the_scanner_endpoint_needs_the_csrf_token(doorkeeper, meeting, badge):
    client = Client(enforce_csrf_checks=True)
    client.force_login(doorkeeper)
    data = {"meeting": meeting.pk, "door": "venue", "code": badge_token(badge)}
    assert client.post(SCAN, data).status_code == 403
    assert not CheckIn.objects.exists()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 40), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_the_photo_is_shown_to_door_staff_only(
    door_client, meeting, badge, delegate, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    photo = BadgePhoto(delegate=delegate)
    photo.image.save("photo.png", ContentFile(png_bytes()), save=True)
    data = {"meeting": meeting.pk, "door": "venue", "code": badge_token(badge)}
    html = door_client.post(SCAN, data).json()["html"]
    url = f"/admin/accreditation/checkin/door/photo/{badge.pk}/"
    assert f'src="{url}"' in html
    response = door_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == png_bytes()
    secretary = Client()
    secretary.force_login(staff("secretary", "Secretariat"))
    assert secretary.get(url).status_code == 403


def test_a_photo_not_a_picture_is_not_served(
    door_client, badge, delegate, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    photo = BadgePhoto(delegate=delegate)
    photo.image.save("photo.svg", ContentFile(b"<svg/>"), save=True)
    url = f"/admin/accreditation/checkin/door/photo/{badge.pk}/"
    assert door_client.get(url).status_code == 404


# Access ---------------------------------------------------------------------------


def test_staff_without_the_permission_cannot_check_in(meeting, badge):
    data = {"meeting": meeting.pk, "door": "venue", "code": badge_token(badge)}
    for group in ("Secretariat", "Drafters", None):
        client = Client()
        client.force_login(staff(f"user-{group}", group))
        assert client.get(DOOR).status_code == 403
        assert client.post(DOOR, data).status_code == 403
        assert client.post(SCAN, data).status_code == 403
    assert not CheckIn.objects.exists()


def test_door_staff_have_only_the_check_in_permission(doorkeeper):
    assert Group.objects.get(name="Door staff").permissions.count() == 1
    assert doorkeeper.has_perm("accreditation.check_in")
    assert not doorkeeper.has_perm("accreditation.view_checkin")
    assert not doorkeeper.has_perm("delegations.view_delegate")
    client = Client()
    client.force_login(doorkeeper)
    assert client.get("/admin/accreditation/checkin/").status_code == 403
    assert client.get("/admin/delegations/delegate/").status_code == 403


def test_the_secretariat_sees_the_check_ins_but_cannot_make_them(db):
    secretary = staff("secretary", "Secretariat")
    assert secretary.has_perm("accreditation.view_checkin")
    assert not secretary.has_perm("accreditation.check_in")
    assert not secretary.has_perm("accreditation.add_checkin")


def test_a_delegates_link_opens_no_door(meeting, badge, delegate):
    link = issue_itinerary_link(delegate)
    client = Client()
    assert client.get(f"/l/{link.token}/").status_code == 200
    data = {"meeting": meeting.pk, "door": "venue", "code": badge_token(badge)}
    for url in (DOOR, SCAN):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert not CheckIn.objects.exists()


def test_a_badge_token_opens_nothing_but_the_check_in_answer(
    door_client, meeting, badge
):
    token = badge_token(badge)
    anonymous = Client()
    for client in (anonymous, door_client):
        for url in (
            f"/l/{token}/",
            f"/l/{token}/nominations/new/",
            f"/l/{token}/programme/",
            f"/{token}/",
        ):
            assert client.get(url).status_code == 404, url
    # The admin's catch-all sends it to a change page door staff may not see.
    assert door_client.get(f"{DOOR}{token}/", follow=True).status_code == 403
    assert anonymous.get(f"{DOOR}{token}/").status_code == 302  # to the login
    # In a query string it is ignored: only the form's POST checks it in.
    assert door_client.get(DOOR, {"code": token}).status_code == 200
    assert not CheckIn.objects.exists()


# The dashboard ------------------------------------------------------------------


def test_the_dashboard_counts_check_ins_per_session_and_the_dinner(
    meeting, badge, doorkeeper
):
    session = SessionFactory(meeting=meeting, title_en="Opening")
    dinner = SessionFactory(
        meeting=meeting,
        kind="dinner",
        title_en="Dinner",
        start_at=at(19),
        end_at=at(21),
    )
    second = make_badge(DelegateFactory(delegation=badge.delegate.delegation))
    for b in (badge, second):
        check_in(badge_token(b), by=doorkeeper, session=session)
    check_in(badge_token(badge), by=doorkeeper, session=dinner)
    secretary = Client()
    secretary.force_login(staff("secretary", "Secretariat"))
    html = secretary.get(f"/admin/?meeting={meeting.pk}").content.decode()
    block = html[html.index('id="dashboard-check-ins"') :]
    block = block[: block.index("</div>")]
    assert "Check-ins at the door" in block
    assert (
        '<span class="figure-value">2</span> <span class="figure-label">Opening'
        in block
    )
    value, label = '<span class="figure-value">', '<span class="figure-label">'
    assert f"{value}1</span> {label}Dinner (13 June 2017, 19:00)" in block
    assert "Entrance (the venue)" in block
    drafter = Client()
    drafter.force_login(staff("drafter", "Drafters"))
    html = drafter.get(f"/admin/?meeting={meeting.pk}").content.decode()
    assert "dashboard-check-ins" not in html


def test_door_staff_find_the_page_in_the_navigation(door_client):
    html = door_client.get("/admin/").content.decode()
    assert f'href="{DOOR}"' in html


# Setup: jsQR from the npm registry, never committed ------------------------------

ROOT = Path(__file__).resolve().parents[2]


def test_jsqr_comes_from_npm_at_setup_and_in_the_image():
    package = json.loads((ROOT / "package.json").read_text())
    assert "jsqr" in package["dependencies"]  # npm ci --omit=dev keeps it
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert (
        lock["packages"]["node_modules/jsqr"]["version"]
        == package["dependencies"]["jsqr"]
    )
    assert "node_modules" in (ROOT / ".gitignore").read_text().split()
    makefile = (ROOT / "Makefile").read_text()
    assert "npm ci" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "npm ci --omit=dev" in dockerfile
    assert "COPY --from=npm-assets /assets/node_modules/jsqr/dist" in dockerfile
    # Copied in before collectstatic, which then serves it like our own files.
    assert dockerfile.index("node_modules/jsqr/dist") < dockerfile.index(
        "collectstatic"
    )


def test_jsqr_is_served_as_a_static_file():
    from django.contrib.staticfiles import finders

    found = finders.find("vendor/jsqr/jsQR.js")
    if not (ROOT / "node_modules" / "jsqr").exists():
        pytest.skip("jsqr not installed: run `make setup` (npm ci)")
    assert found and Path(found).read_bytes().startswith(b"(function")


def test_a_delegate_taken_off_in_the_admin_leaves_a_red_badge(
    meeting, delegation, doorkeeper, client
):
    from delegations.services import save_delegates

    inline = DelegateFactory(delegation=delegation, name_latin="Inline Removed")
    listed = DelegateFactory(delegation=delegation, name_latin="Deleted Outright")
    gone = make_badge(inline)
    deleted = make_badge(listed)
    # The delegation's inline (the admin's list of its delegates) ...
    save_delegates(delegation, [], removed=[inline])
    # ... and the delegate's own delete page.
    secretary = staff("secretary-delete", "Secretariat")
    client.force_login(secretary)
    response = client.post(
        f"/admin/delegations/delegate/{listed.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    for badge in (gone, deleted):
        badge.refresh_from_db()
        assert (badge.delegate_id, badge.revoked_reason) == (None, "withdrawn")
        result = check_in(badge_token(badge), by=doorkeeper, meeting=meeting)
        assert (result.state, result.reason) == ("red", "withdrawn")
    assert not CheckIn.objects.exists()


def test_a_delegates_badge_left_without_its_delegate_is_red(meeting, doorkeeper):
    # A badge whose delegate went with their whole delegation (no service
    # revoked it): a delegate's badge without a delegate opens no door.
    orphan = make_badge(category=Badge.Category.MEMBER_STATE)
    result = check_in(badge_token(orphan), by=doorkeeper, meeting=meeting)
    assert (result.state, result.reason) == ("red", "withdrawn")
