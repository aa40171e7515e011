"""The door's check-in page in Chromium, scanning a real QR code.

Chromium's fake camera plays a Y4M video of a badge's QR code (made here with
segno and Pillow); the page reads it frame after frame, so the scanner sees
the same code many times, and the person is checked in exactly once. Headless
Chromium on Linux has no BarcodeDetector, so this runs the jsQR path (the npm
package served from node_modules); the test says which reader ran. The code
typed by hand is tested too, without a camera.
"""

import datetime
import io
from pathlib import Path

import pytest
import segno
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accreditation.models import Badge, BadgePhoto, CheckIn
from accreditation.tokens import badge_token
from tests.agenda.factories import SessionFactory
from tests.e2e.conftest import ARTIFACTS, CHROMIUM_ARGS, csp_violations
from tests.e2e.test_accessibility import (
    PHONE,
    axe_source,
    blocking_violations,
    describe,
    log_in,
    set_language,
)
from tests.factories import DelegateFactory, DelegationFactory, MeetingFactory
from tests.services import CHROMIUM, need, need_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOOR = "/admin/accreditation/checkin/door/"
JSQR = Path(__file__).resolve().parents[2] / "node_modules" / "jsqr" / "dist"


def qr_video(text: str, path: Path, frames: int = 10) -> Path:
    """Write a Y4M video (640x480, I420) whose every frame shows the QR code."""
    qr = io.BytesIO()
    segno.make(text, error="m").save(qr, kind="png", scale=6, border=4)
    code = Image.open(qr).convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    luma = frame.tobytes()
    # Grey: both chroma planes at the middle, a quarter of the size each.
    chroma = bytes([128]) * (320 * 240)
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def photo_png() -> bytes:
    """A stand-in for a passport photo: a head and shoulders on blue."""
    image = Image.new("RGB", (300, 400), (70, 110, 170))
    draw = ImageDraw.Draw(image)
    draw.ellipse((95, 60, 205, 190), fill=(225, 190, 160))
    draw.rectangle((60, 230, 240, 400), fill=(40, 40, 60))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def door_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    meeting = MeetingFactory(start_date=now.date(), end_date=now.date())
    delegation = DelegationFactory(
        meeting=meeting, name_en="Kyrgyzstan", name_ru="Кыргызстан"
    )
    delegate = DelegateFactory(
        delegation=delegation,
        name_latin="Aizada Kasymalieva",
        name_cyrillic="Айзада Касымалиева",
        role="adviser",
    )
    badge = Badge.objects.create(
        delegate=delegate,
        holder_name_latin=delegate.name_latin,
        holder_name_cyrillic=delegate.name_cyrillic,
        category=Badge.Category.MEMBER_STATE,
    )
    photo = BadgePhoto(delegate=delegate)
    photo.image.save("photo.jpg", ContentFile(photo_png()), save=True)
    session = SessionFactory(
        meeting=meeting,
        title_en="High-level thematic session",
        title_ru="Тематическая сессия высокого уровня",
        start_at=now - datetime.timedelta(minutes=30),
        end_at=now + datetime.timedelta(hours=1),
    )
    dinner = SessionFactory(
        meeting=meeting,
        kind="dinner",
        invitation="heads",
        title_en="Working dinner",
        title_ru="Рабочий ужин",
        start_at=now + datetime.timedelta(hours=3),
        end_at=now + datetime.timedelta(hours=5),
    )
    staff = get_user_model().objects.create_user(
        "door", first_name="Door", last_name="Keeper", is_staff=True
    )
    # A transactional test flushes the migrations' groups: made again here,
    # as accreditation/migrations/0005 makes it.
    door_staff, _ = Group.objects.get_or_create(name="Door staff")
    door_staff.permissions.set(
        Permission.objects.filter(
            content_type__app_label="accreditation", codename="check_in"
        )
    )
    staff.groups.add(door_staff)
    return {
        "meeting": meeting,
        "badge": badge,
        "session": session,
        "dinner": dinner,
        "staff": staff,
    }


@pytest.fixture
def camera_page(tmp_path, door_world):
    """A page whose camera shows the badge's QR code (Chromium's fake device)."""
    need_chromium()
    need((JSQR / "jsQR.js").exists(), "needs jsqr: run `make setup` (npm ci)")
    video = qr_video(badge_token(door_world["badge"]), tmp_path / "badge.y4m")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        try:
            context = browser.new_context(
                locale="en-GB", viewport=PHONE, permissions=["camera"]
            )
            page = context.new_page()
            refused = csp_violations(page)
            yield page
            assert refused == []
            context.close()
        finally:
            browser.close()
            connections.close_all()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"accreditation-checkin-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def no_sideways_scroll(page) -> None:
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    ), "the page scrolls sideways at 390 px"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_camera_checks_a_badge_in_once(live_server, camera_page, door_world, lang):
    page = camera_page
    set_language(page, live_server, lang)
    log_in(page, live_server, door_world["staff"])
    page.goto(live_server.url + DOOR)
    # The door defaults to the session in progress.
    chosen = page.locator("#door-place option:checked")
    assert chosen.get_attribute("value") == str(door_world["session"].pk)
    answer = page.locator("#door-answer .door-answer")
    answer.wait_for(timeout=20_000)
    assert answer.get_attribute("data-reason") == "checked_in"
    assert answer.get_attribute("data-state") == "green"
    text = page.locator("#door-answer").inner_text()
    assert "Aizada Kasymalieva" in text and "Айзада Касымалиева" in text
    assert ("Kyrgyzstan" if lang == "en" else "Кыргызстан") in text
    # The photo, from private storage through the door staff's view.
    page.wait_for_function(
        "() => { const img = document.querySelector('#door-answer img.door-photo');"
        " return img && img.complete && img.naturalWidth === 300; }"
    )
    reader = page.locator("#door").get_attribute("data-reader")
    # Headless Chromium on Linux has no BarcodeDetector: jsQR read the code.
    assert reader == "jsQR"
    shot(page, f"camera-{lang}")
    # The camera still sees the code: after the pause it is sent again and
    # answered "already checked in"; still one check-in.
    page.locator('#door-answer [data-reason="already"]').wait_for(timeout=20_000)
    text = page.locator("#door-answer").inner_text()
    assert "Door Keeper" in text
    assert CheckIn.objects.filter(badge=door_world["badge"]).count() == 1
    row = CheckIn.objects.get()
    assert row.session == door_world["session"]
    assert row.checked_in_by == door_world["staff"]
    # The session in progress: invited; the dinner (heads only): not.
    invitations = page.locator(".door-invitations li")
    assert invitations.count() == 2
    assert "door-invited" in invitations.nth(0).get_attribute("class")
    assert "door-not-invited" in invitations.nth(1).get_attribute("class")
    no_sideways_scroll(page)
    shot(page, f"camera-already-{lang}")
    violations = blocking_violations(page, axe_source())
    assert violations == [], describe(DOOR, violations)


def test_a_revoked_badge_scans_red(live_server, camera_page, door_world):
    Badge.objects.filter(pk=door_world["badge"].pk).update(
        revoked_at=timezone.now(), revoked_reason="replaced"
    )
    page = camera_page
    log_in(page, live_server, door_world["staff"])
    page.goto(f"{live_server.url}{DOOR}?door=venue")
    answer = page.locator("#door-answer .door-answer")
    answer.wait_for(timeout=20_000)
    assert answer.get_attribute("data-state") == "red"
    assert "Badge replaced" in answer.inner_text()
    shot(page, "camera-red-en")
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_code_typed_by_hand_checks_in_once(live_server, page, door_world, lang):
    page.set_viewport_size(PHONE)
    set_language(page, live_server, lang)
    log_in(page, live_server, door_world["staff"])
    page.goto(f"{live_server.url}{DOOR}?door=venue")
    # No camera in this browser: the page says so and keeps the form.
    status = page.locator("#door-camera-status")
    page.wait_for_function(
        "() => !document.getElementById('door-camera-status').textContent.includes('…')"
    )
    assert status.inner_text()
    token = badge_token(door_world["badge"])
    for expected in ("checked_in", "already"):
        page.locator("#door-code").fill(token)
        page.locator("#door-manual button[type=submit]").click()
        answer = page.locator("#door-answer .door-answer")
        answer.wait_for()
        assert answer.get_attribute("data-reason") == expected
        assert page.locator("#door-code").input_value() == ""
    assert CheckIn.objects.filter(badge=door_world["badge"], session=None).count() == 1
    no_sideways_scroll(page)
    shot(page, f"typed-{lang}")
    violations = blocking_violations(page, axe_source())
    assert violations == [], describe(DOOR, violations)


def test_the_code_typed_by_hand_with_the_keyboard_alone(live_server, page, door_world):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, door_world["staff"])
    page.goto(f"{live_server.url}{DOOR}?door=venue")
    page.locator("#door-code").focus()
    page.keyboard.type("not-a-badge")
    page.keyboard.press("Enter")
    answer = page.locator("#door-answer .door-answer")
    answer.wait_for()
    assert answer.get_attribute("data-state") == "red"
    assert "Not a valid badge" in answer.inner_text()
    assert not CheckIn.objects.exists()
