"""Briefing packs of the 2017 Dialogue, rendered in this process and read back."""

import datetime
import re

import pytest
from pypdf import PdfReader

from delegations.models import Delegate, FlightLeg, Passport
from dialogue.packs.files import absolute
from dialogue.packs.models import Pack
from dialogue.packs.services import queue_visa_letter, render_pack

CYRILLIC = re.compile(r"[\u0400-\u04FF]{3,}")
KZ, KG = 1, 2  # delegations of the fixture


def rendered(meeting, delegation_id, language) -> tuple[Pack, PdfReader, str]:
    pack = Pack.objects.create(
        meeting=meeting, delegation_id=delegation_id, language=language
    )
    assert render_pack(pack.pk) == "rendered"
    pack.refresh_from_db()
    reader = PdfReader(absolute(pack.file))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return pack, reader, " ".join(text.split())


def flight_numbers(delegation_id) -> set[str]:
    return set(
        FlightLeg.objects.filter(delegate__delegation_id=delegation_id).values_list(
            "flight_number", flat=True
        )
    )


@pytest.mark.django_db
def test_pack_english_has_own_flights_not_another_delegations(ashgabat, media_root):
    pack, reader, text = rendered(ashgabat, KZ, "en")
    assert pack.status == "ready"
    assert pack.pages == len(reader.pages)
    own, other = flight_numbers(KZ), flight_numbers(KG) - flight_numbers(KZ)
    assert own and other
    assert all(number in text for number in own)
    assert not any(f" {number}" in text for number in other)
    assert "Kazakhstan" in text
    assert "Contents" in text
    assert "Programme" in text


@pytest.mark.django_db
def test_pack_russian_prints_cyrillic_in_embedded_font(ashgabat, media_root):
    pack, reader, text = rendered(ashgabat, KZ, "ru")
    delegate = Delegate.objects.filter(delegation_id=KZ).order_by("sort_order").first()
    assert delegate.name_cyrillic in text
    assert CYRILLIC.search(text)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor  # embedded TrueType
            fonts.add(font["/BaseFont"].split("+", 1)[1])
    assert fonts <= {"Pack-Sans", "Pack-Sans-Bold", "Pack-Sans-Semi-Bold"}


@pytest.mark.django_db
def test_pack_bilingual_has_both_scripts_side_by_side(ashgabat, media_root):
    pack, reader, text = rendered(ashgabat, KZ, "bilingual")
    delegate = Delegate.objects.filter(delegation_id=KZ).order_by("sort_order").first()
    assert delegate.name_latin in text
    assert delegate.name_cyrillic in text
    assert "Meeting overview / " in text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "bilingual"])
def test_pack_is_tagged_with_language_title_and_outline(ashgabat, media_root, language):
    pack, reader, text = rendered(ashgabat, KG, language)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == ("ru" if language == "ru" else "en")
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert reader.metadata.title.endswith(("Kyrgyzstan", "Кыргызстан"))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len(titles) >= 7  # cover, contents and the six sections


@pytest.mark.django_db
def test_pack_every_page_has_running_header_and_number(ashgabat, media_root):
    pack, reader, text = rendered(ashgabat, KZ, "en")
    header = "High-Level UN-Central Asia Dialogue · Briefing pack"
    cover = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    assert header not in cover  # the cover carries the letterhead instead
    for number, page in enumerate(reader.pages[1:], start=2):
        lines = [line.strip() for line in page.extract_text().splitlines() if line]
        assert header in lines
        assert str(number) in lines


@pytest.mark.django_db
def test_pack_contents_page_numbers_match_section_pages(ashgabat, media_root):
    pack, reader, text = rendered(ashgabat, KZ, "en")
    contents = reader.pages[1].extract_text()
    listed = dict(
        re.findall(r"^(Programme|List of participants) (\d+)$", contents, re.M)
    )
    for title, page_number in listed.items():
        assert reader.pages[int(page_number) - 1].extract_text().count(title) >= 1
    assert set(listed) == {"Programme", "List of participants"}


@pytest.mark.django_db
def test_pack_programme_lists_speaking_order_with_clock_times(ashgabat, media_root):
    from agenda.models import SpeakingSlot

    slot = SpeakingSlot.objects.filter(session__meeting=ashgabat).order_by("id").first()
    if slot is None:
        pytest.skip("the agenda fixture has no speaking slots")
    pack, reader, text = rendered(ashgabat, KZ, "en")
    start = slot.session.start_local.strftime("%H:%M")
    assert start in text
    assert slot.speaker.name_latin in text


@pytest.mark.django_db
def test_visa_letter_bilingual_from_passport_and_itinerary(ashgabat, media_root):
    delegate = Delegate.objects.filter(delegation_id=KZ, funded=True).first()
    Passport.objects.update_or_create(
        delegate=delegate,
        defaults={
            "number": "N12345678",
            "nationality": "KZ",
            "expires_on": datetime.date(2027, 1, 1),
        },
    )
    pack = queue_visa_letter(delegate)
    assert render_pack(pack.pk) == "rendered"
    pack.refresh_from_db()
    reader = PdfReader(absolute(pack.file))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "N12345678" in text
    assert delegate.name_latin in text
    assert "Letter of invitation for visa purposes" in text
    assert CYRILLIC.search(text)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
