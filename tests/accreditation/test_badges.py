"""Badges: issued to the accredited, printed, revoked; photos through the focal
point's link (accreditation.services.badges, photos, views.badges, admin)."""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from PIL import Image

from accreditation.models import Badge, BadgePhoto
from accreditation.services.badges import (
    issue_badge,
    issue_badges,
    mark_printed,
    revoke_badge,
    set_badge_photo,
)
from accreditation.tokens import badge_serial, badge_token
from delegations.services import advance_accreditation, issue_itinerary_link
from dialogue.packs.models import Pack
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = pytest.mark.django_db


def image_bytes(kind: str = "PNG", size=(300, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (190, 120, 90)).save(out, kind)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def delegation(db):
    return DelegationFactory(
        country_code="TJ", name_en="Tajikistan", name_ru="Таджикистан"
    )


def accredited(**kwargs):
    delegate = DelegateFactory(**kwargs)
    return advance_accreditation(delegate, "accredited")


@pytest.fixture
def secretary(db):
    user = get_user_model().objects.create_user("secretary", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    client = Client()
    client.force_login(user)
    return client


# Issue ---------------------------------------------------------------------------


def test_a_delegate_not_accredited_is_refused_by_name(delegation):
    delegate = DelegateFactory(delegation=delegation, name_latin="Rustam Saidov")
    with pytest.raises(ValidationError) as refused:
        issue_badge(delegate)
    assert refused.value.messages == [
        "Rustam Saidov is not accredited yet: a badge is issued once the "
        "credentials are approved."
    ]
    assert not Badge.objects.exists()


def test_the_category_follows_the_delegation_and_role(delegation):
    meeting = delegation.meeting
    observer = DelegationFactory(meeting=meeting, kind="observer", country_code="")
    organiser = DelegationFactory(meeting=meeting, kind="organiser", country_code="")
    badges = [
        issue_badge(accredited(delegation=delegation)),
        issue_badge(accredited(delegation=delegation, role="un_official")),
        issue_badge(accredited(delegation=observer)),
        issue_badge(accredited(delegation=organiser)),
    ]
    assert [b.category for b in badges] == [
        "member_state",
        "united_nations",
        "observer",
        "secretariat",
    ]


def test_staff_may_choose_the_category(delegation):
    badge = issue_badge(accredited(delegation=delegation), category="media")
    assert badge.category == "media"
    with pytest.raises(ValidationError) as refused:
        issue_badge(accredited(delegation=delegation), category="vip")
    assert refused.value.message_dict == {
        "category": ["Choose one of the badge categories."]
    }


def test_the_badge_keeps_the_names_as_issued(delegation):
    delegate = accredited(
        delegation=delegation, name_latin="Aliya Bekova", name_cyrillic="Алия Бекова"
    )
    badge = issue_badge(delegate)
    assert (badge.holder_name_latin, badge.holder_name_cyrillic) == (
        "Aliya Bekova",
        "Алия Бекова",
    )
    assert badge_serial(badge_token(badge)) == badge.serial


def test_one_active_badge_per_delegate_until_revoked(delegation):
    delegate = accredited(delegation=delegation, name_latin="Rustam Saidov")
    first = issue_badge(delegate)
    with pytest.raises(ValidationError) as refused:
        issue_badge(delegate)
    assert refused.value.messages == [
        "Rustam Saidov already has a badge; revoke it to issue another."
    ]
    revoke_badge(first, note="lost at the hotel")
    second = issue_badge(delegate)
    assert second.serial != first.serial
    assert Badge.objects.filter(delegate=delegate).count() == 2


def test_issue_badges_names_who_is_not_accredited(delegation):
    ready = accredited(delegation=delegation)
    holder = accredited(delegation=delegation)
    issue_badge(holder)
    DelegateFactory(delegation=delegation, name_latin="Farrukh Nazarov")
    result = issue_badges([delegation.pk])
    assert [b.delegate for b in result.issued] == [ready]
    assert result.already == 1
    assert result.refused == [
        "Farrukh Nazarov is not accredited yet: a badge is issued once the "
        "credentials are approved."
    ]


# Revoke and print ------------------------------------------------------------------


def test_revoking_needs_a_reason_and_writes_nothing_without(delegation):
    badge = issue_badge(accredited(delegation=delegation))
    with pytest.raises(ValidationError) as refused:
        revoke_badge(badge, note="  ")
    assert refused.value.message_dict == {
        "revoked_note": ["Say why the badge is revoked."]
    }
    badge.refresh_from_db()
    assert badge.revoked_at is None
    revoke_badge(badge, note="name misspelt")
    badge.refresh_from_db()
    assert (badge.revoked_reason, badge.revoked_note) == ("revoked", "name misspelt")
    assert badge.revoked_at is not None
    with pytest.raises(ValidationError):
        revoke_badge(badge, note="again")


def test_printing_moves_the_delegate_to_badge_printed(delegation):
    delegate = accredited(delegation=delegation)
    badge = issue_badge(delegate)
    mark_printed(badge)
    badge.refresh_from_db()
    delegate.refresh_from_db()
    assert badge.printed_at is not None
    assert delegate.accreditation == "badge_printed"


def test_a_revoked_badge_is_not_printed(delegation):
    delegate = accredited(delegation=delegation, name_latin="Rustam Saidov")
    badge = issue_badge(delegate)
    revoke_badge(badge, note="replaced")
    with pytest.raises(ValidationError) as refused:
        mark_printed(badge)
    assert refused.value.messages == [
        "The badge of Rustam Saidov is revoked: it is not to be printed."
    ]
    delegate.refresh_from_db()
    assert delegate.accreditation == "accredited"


def test_issuing_and_revoking_mark_the_badge_sheets_stale(delegation):
    meeting = delegation.meeting
    other = DelegationFactory(meeting=meeting, country_code="KG")
    sheets = {
        key: Pack.objects.create(
            meeting=meeting,
            delegation=target,
            kind="badges",
            language="bilingual",
            status="ready",
        )
        for key, target in (("own", delegation), ("other", other), ("all", None))
    }
    badge = issue_badge(accredited(delegation=delegation))
    stale = {k for k, p in sheets.items() if Pack.objects.get(pk=p.pk).is_outdated}
    assert stale == {"own", "all"}
    Pack.objects.update(stale_since=None)
    revoke_badge(badge, note="lost")
    stale = {k for k, p in sheets.items() if Pack.objects.get(pk=p.pk).is_outdated}
    assert stale == {"own", "all"}


# Photos ----------------------------------------------------------------------------


def test_a_png_photo_is_stored_privately_as_a_clean_jpeg(delegation, media):
    delegate = DelegateFactory(delegation=delegation)
    photo = set_badge_photo(delegate, image_bytes("PNG"))
    path = Path(photo.image.path)
    assert path.is_relative_to(media / "private")
    assert path.read_bytes().startswith(b"\xff\xd8\xff")  # re-encoded
    with Image.open(path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
    with pytest.raises(ValueError):
        photo.image.url  # noqa: B018 - no URL at all


def test_a_new_photo_replaces_the_old_file(
    delegation, media, django_capture_on_commit_callbacks
):
    delegate = DelegateFactory(delegation=delegation)
    first = Path(set_badge_photo(delegate, image_bytes("PNG")).image.path)
    with django_capture_on_commit_callbacks(execute=True):
        second = Path(set_badge_photo(delegate, image_bytes("JPEG")).image.path)
    assert second.exists() and not first.exists()
    assert BadgePhoto.objects.filter(delegate=delegate).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a photo to upload."),
        (
            b"<html><script>alert(1)</script></html>",
            "A badge photo must be a JPEG or PNG image.",
        ),
        (image_bytes("GIF"), "A badge photo must be a JPEG or PNG image."),
        (image_bytes("PNG")[:200], "A badge photo must be a JPEG or PNG image."),
        (
            image_bytes("PNG", size=(60, 80)),
            "The photo is too small: at least 120 pixels on each side.",
        ),
    ],
    ids=["empty", "html", "gif", "truncated", "tiny"],
)
def test_a_photo_that_is_not_a_plain_jpeg_or_png_is_refused(
    delegation, media, data, message
):
    delegate = DelegateFactory(delegation=delegation)
    with pytest.raises(ValidationError) as refused:
        set_badge_photo(delegate, data)
    assert refused.value.message_dict == {"photo": [message]}
    assert not BadgePhoto.objects.exists()
    assert not (media / "private").exists() or not any(
        (media / "private").rglob("*.jpg")
    )


def test_a_photo_over_the_limit_is_refused(delegation, media, settings):
    settings.BADGE_PHOTO_MAX_BYTES = 2048
    delegate = DelegateFactory(delegation=delegation)
    with pytest.raises(ValidationError) as refused:
        set_badge_photo(delegate, image_bytes("PNG", size=(800, 800)) + b"\0" * 4096)
    assert refused.value.message_dict["photo"][0].startswith("The photo is ")
    assert "at most 2 KB is accepted" in refused.value.message_dict["photo"][0]


# The focal point's page ------------------------------------------------------------


def test_the_focal_point_uploads_a_photo_through_its_link(delegation, media):
    delegate = DelegateFactory(delegation=delegation)
    token = issue_itinerary_link(delegation).token
    client = Client()
    page = client.get(f"/l/{token}/?lang=en")
    assert f"/l/{token}/badge-photo/{delegate.pk}/" in page.content.decode()
    form = client.get(f"/l/{token}/badge-photo/{delegate.pk}/?lang=en")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()
    upload = io.BytesIO(image_bytes("PNG"))
    upload.name = "me.png"
    response = client.post(
        f"/l/{token}/badge-photo/{delegate.pk}/?lang=en", {"photo": upload}
    )
    assert response.status_code == 302
    assert BadgePhoto.objects.filter(delegate=delegate).exists()


def test_the_page_says_why_a_file_is_refused_and_keeps_nothing(delegation, media):
    delegate = DelegateFactory(delegation=delegation)
    token = issue_itinerary_link(delegation).token
    upload = io.BytesIO(b"%PDF-1.7\n%%EOF\n")
    upload.name = "photo.jpg"
    response = Client().post(
        f"/l/{token}/badge-photo/{delegate.pk}/?lang=ru", {"photo": upload}
    )
    assert response.status_code == 400
    assert "Фото для бейджа должно быть в формате JPEG или PNG." in (
        response.content.decode()
    )
    assert not BadgePhoto.objects.exists()


def test_another_focal_point_cannot_upload_a_photo(delegation, media):
    delegate = DelegateFactory(delegation=delegation)
    other = DelegationFactory(meeting=delegation.meeting, country_code="KG")
    token = issue_itinerary_link(other).token
    upload = io.BytesIO(image_bytes("PNG"))
    upload.name = "me.png"
    response = Client().post(
        f"/l/{token}/badge-photo/{delegate.pk}/", {"photo": upload}
    )
    assert response.status_code == 404
    assert not BadgePhoto.objects.exists()


# The admin -------------------------------------------------------------------------


def test_the_secretariat_issues_badges_for_chosen_delegations(delegation, secretary):
    ready = accredited(delegation=delegation)
    DelegateFactory(delegation=delegation, name_latin="Farrukh Nazarov")
    response = secretary.post(
        "/admin/accreditation/badge/issue/",
        {"meeting": delegation.meeting_id, "delegation": [delegation.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert list(Badge.objects.values_list("delegate", "category")) == [
        (ready.pk, "member_state")
    ]
    html = response.content.decode()
    assert "Badges issued: 1; 0 already had one." in html
    assert "Farrukh Nazarov is not accredited yet" in html


def test_the_secretariat_revokes_with_a_reason_and_marks_printed(delegation, secretary):
    badge = issue_badge(accredited(delegation=delegation))
    url = "/admin/accreditation/badge/"
    asked = secretary.post(
        url, {"action": "revoke_action", "_selected_action": [badge.pk]}
    )
    assert asked.status_code == 200
    assert "Why revoked" in asked.content.decode()
    empty = secretary.post(
        url,
        {"action": "revoke_action", "_selected_action": [badge.pk], "apply": "1"},
    )
    assert empty.status_code == 400
    badge.refresh_from_db()
    assert badge.revoked_at is None
    printed = secretary.post(
        url, {"action": "mark_printed_action", "_selected_action": [badge.pk]}
    )
    assert printed.status_code == 302
    badge.refresh_from_db()
    assert badge.printed_at is not None
    secretary.post(
        url,
        {
            "action": "revoke_action",
            "_selected_action": [badge.pk],
            "apply": "1",
            "revoked_note": "stolen",
        },
    )
    badge.refresh_from_db()
    assert badge.revoked_note == "stolen" and badge.revoked_at is not None
    listing = secretary.get(url).content.decode()
    assert "stolen" in listing


def test_drafters_have_no_badge_permission(db):
    drafters = Group.objects.get(name="Drafters")
    secretariat = Group.objects.get(name="Secretariat")
    codenames = set(secretariat.permissions.values_list("codename", flat=True))
    assert "issue_badge" in codenames
    assert not drafters.permissions.filter(codename__contains="badge").exists()
