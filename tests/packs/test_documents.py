"""The documents read like a UN secretariat's: letterhead, cover, typography,
honorifics, airports by city, practical information and the visa letter."""

import io

import pdfplumber
import pytest
from pypdf import PdfReader

from delegations.models import Delegate
from dialogue.documents import airport_place, place, smart_quotes, typeset
from dialogue.packs.render import paired_rows
from tests.packs.documents import (
    KZ,
    add_letterhead,
    letter_delegate,
    private_media,
    render_briefing,
    render_declaration,
    render_visa_letter,
)


@pytest.fixture
def documents_media(settings, tmp_path):
    return private_media(settings, tmp_path)


@pytest.fixture
def letterhead(ashgabat, documents_media):
    """The 2017 meeting with its emblem and signature uploaded."""
    return add_letterhead(ashgabat)


def pages_text(data: bytes) -> list[str]:
    return [
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(data)).pages
    ]


# Typography -----------------------------------------------------------------


def test_smart_quotes_follow_the_language():
    text = 'the project "Towards the JPoA" ("phase two")'
    assert smart_quotes(text, "en") == "the project “Towards the JPoA” (“phase two”)"
    assert smart_quotes(text, "ru") == "the project «Towards the JPoA» («phase two»)"


def test_typeset_escapes_and_keeps_symbols_capitals_and_compounds_whole():
    html = typeset('The Secretary-General of UNCCT (A/70/674) said "<b>"', "en")
    assert html == (
        'The <span class="name">Secretary-General</span> of '
        '<span class="nobr">UNCCT</span> (<span class="nobr">A/70/674</span>) '
        "said “&lt;b&gt;”"
    )


def test_place_never_repeats_the_city():
    assert place("Yyldyz Hotel, Ashgabat", "Ashgabat", "Turkmenistan") == (
        "Yyldyz Hotel, Ashgabat, Turkmenistan"
    )
    assert place("Гостиница «Йылдыз», Ашхабад", "Ашхабад", "Туркменистан") == (
        "Гостиница «Йылдыз», Ашхабад, Туркменистан"
    )
    assert place("Conference Centre", "Astana", "") == "Conference Centre, Astana"


def test_airports_by_city_with_the_code_after():
    assert airport_place("NQZ", "en") == "Astana\u00a0(NQZ)"
    assert airport_place("ASB", "ru") == "Ашхабад\u00a0(ASB)"
    assert airport_place("IST", "en") == "Istanbul\u00a0(IST)"
    assert airport_place("ZZZ", "en") == "ZZZ"  # unknown: the code alone


@pytest.mark.django_db
def test_honorific_in_both_languages(ashgabat):
    minister = Delegate.objects.get(name_latin="Nurlan Sadykov")
    adviser = Delegate.objects.get(name_latin="Marc Dubois")
    envoy = Delegate.objects.get(name_latin="Helena Lindqvist")
    assert minister.formal_name("en") == "H.E.\u00a0Nurlan Sadykov"
    assert minister.formal_name("ru") == "Е. П.\u00a0Нурлан Садыков"
    assert adviser.formal_name("ru") == "г\u2011н\u00a0Марк Дюбуа"
    assert envoy.formal_name("en") == "Ms.\u00a0Helena Lindqvist"
    minister.honorific = ""
    assert minister.formal_name("en") == "Nurlan Sadykov"


def test_paired_rows_keep_twins_side_by_side_when_one_language_changed():
    en = [
        {"kind": "h2", "key": "changes"},
        {"kind": "change", "key": "change-new-1", "label": "PP2"},
        {"kind": "change", "key": "change-new-3", "label": "OP1"},
    ]
    ru = [
        {"kind": "h2", "key": "changes"},
        {"kind": "change", "key": "change-new-3", "label": "ОП1"},
        {"kind": "change", "key": "change-new-4", "label": "ОП2"},
    ]
    rows = paired_rows(en, ru)
    assert [(a and a.get("key"), b and b.get("key")) for a, b in rows] == [
        ("changes", "changes"),
        ("change-new-1", None),
        ("change-new-3", "change-new-3"),
        (None, "change-new-4"),
    ]
    # the column without the change says so, in its own language
    assert rows[1][1]["text"] == "В тексте на этом языке пункт не изменился."
    assert rows[3][0]["text"] == "This paragraph did not change in this language."


# Briefing packs ---------------------------------------------------------------


@pytest.mark.django_db
def test_pack_cover_has_letterhead_symbol_and_issue_date_but_no_header(letterhead):
    pages = pages_text(render_briefing(letterhead, "en"))
    cover = pages[0]
    assert "United Nations Regional Centre for Preventive Diplomacy" in cover
    assert "UNRCCA/2017/HLD/1" in cover
    assert "Issued on " in cover
    assert "Yyldyz Hotel, Ashgabat, Turkmenistan" in cover
    assert "Briefing pack 1" not in cover and "· Briefing pack" not in cover
    assert all("· Briefing pack" in page for page in pages[1:])
    assert not any("Ashgabat, Ashgabat" in page for page in pages)


@pytest.mark.django_db
def test_pack_english_honorifics_airports_quotes_and_practical_information(
    ashgabat, documents_media
):
    text = " ".join(pages_text(render_briefing(ashgabat, "en")))
    assert "H.E. Nurlan Sadykov" in text
    assert "Mr. Askar Temirbekov" in text
    assert "Astana (NQZ) – Ashgabat (ASB)" in text
    assert " NQZ – ASB" not in text
    assert "“Towards the Implementation of the Joint Plan of Action" in text
    assert '"' not in text
    for heading in (
        "Visa",
        "Arrival and airport reception",
        "Accreditation and badges",
        "Security",
        "Dress code",
        "Local transport",
        "Currency",
        "Climate",
        "Emergency numbers",
    ):
        assert heading in text
    assert "Ambulance: 03" in text
    assert "Turkmen manat (TMT)" in text
    assert "All times in this pack are local: Ashgabat time (UTC+5) at the venue." in (
        text
    )
    assert "Asia/" not in text


@pytest.mark.django_db
def test_pack_russian_honorifics_airports_and_guillemets(ashgabat, documents_media):
    text = " ".join(pages_text(render_briefing(ashgabat, "ru")))
    assert "Е. П. Нурлан Садыков" in text
    assert "Астана (NQZ) – Ашхабад (ASB)" in text
    assert "«Диалог ООН – Центральная Азия»" in text  # typed with straight quotes
    assert '"' not in text
    assert "Телефоны экстренных служб" in text
    assert "Скорая помощь: 03" in text
    assert "ашхабадское время (UTC+5)" in text
    assert "Asia/" not in text


@pytest.mark.django_db
def test_practical_information_printed_only_when_filled(ashgabat, documents_media):
    # (a field filled in one language only prints that text in both, as all
    # bilingual fields do)
    ashgabat.dress_code_en = ashgabat.dress_code_ru = ""
    ashgabat.climate_en = ashgabat.climate_ru = ""
    ashgabat.save()
    text = " ".join(pages_text(render_briefing(ashgabat, "en")))
    assert "Dress code" not in text
    assert "Climate" not in text
    assert "Emergency numbers" in text


@pytest.mark.django_db
def test_pack_lists_have_real_bullets(ashgabat, documents_media):
    text = " ".join(pages_text(render_briefing(ashgabat, "en")))
    assert "To review progress under the first and second phases" in text
    assert "- To review" not in text  # typed as "- ", printed as a list item


@pytest.mark.django_db
def test_session_tables_have_the_same_columns_in_every_session(
    ashgabat, documents_media
):
    data = render_briefing(ashgabat, "en")
    starts = set()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            for index, word in enumerate(words):
                # the header row of each session's table: No. Time Speaker Min.
                if word["text"] == "Speaker" and words[index - 1]["text"] == "Time":
                    starts.add((round(words[index - 1]["x0"], 1), round(word["x0"], 1)))
    assert len(starts) == 1


# Visa letters ---------------------------------------------------------------


@pytest.mark.django_db
def test_visa_letter_one_page_with_signatory_reference_and_addressee(letterhead):
    delegate = letter_delegate()
    data = render_visa_letter(delegate)
    pages = pages_text(data)
    assert len(pages) == 1
    text = pages[0]
    assert "To the Consular Section of the Embassy of Turkmenistan" in text
    assert "В консульский отдел Посольства Туркменистана" in text
    assert "консульские учреждения" not in text
    assert "Mikael Stendahl" in text and "Микаэль Стендаль" in text
    assert "Special Representative of the Secretary-General" in text
    assert f"ASHGABAT-2017/VISA/{delegate.pk:04d}" in text
    assert "Ashgabat (ASB)" in text and "Ашхабад (ASB)" in text
    reader = PdfReader(io.BytesIO(data))
    images = [
        name
        for name, obj in reader.pages[0]["/Resources"].get("/XObject", {}).items()
        if obj.get_object()["/Subtype"] == "/Image"
    ]
    assert len(images) == 2  # the emblem and the signature


@pytest.mark.django_db
def test_visa_letter_without_signatory_signs_for_the_secretariat(
    ashgabat, documents_media
):
    ashgabat.signatory_name_en = ashgabat.signatory_name_ru = ""
    ashgabat.visa_addressee_en = ashgabat.visa_addressee_ru = ""
    ashgabat.save()
    text = pages_text(render_visa_letter(letter_delegate()))[0]
    assert "Secretariat of the meeting" in text
    assert "To the Consular Section of the Embassy of Turkmenistan" in text
    assert "В консульский отдел посольства (Туркменистан)" in text


# Declaration ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_declaration_pdf_carries_the_letterhead(letterhead, lang):
    text = " ".join(pages_text(render_declaration(letterhead, lang)))
    organisers = {
        "en": "United Nations Counter-Terrorism Centre",
        "ru": "Контртеррористический центр Организации Объединённых Наций",
    }
    assert organisers[lang] in text
    assert "UNRCCA/2017/HLD/1" in text


@pytest.mark.django_db
def test_visa_letters_in_bulk_one_task_for_a_delegation(
    ashgabat, documents_media, django_capture_on_commit_callbacks
):
    from dialogue.packs.models import Pack
    from dialogue.packs.selectors import pack_progress
    from dialogue.packs.services import queue_visa_letters

    with_passport = letter_delegate()  # the others of Kazakhstan have none
    funded = Delegate.objects.filter(delegation_id=KZ, funded=True).count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = queue_visa_letters(ashgabat, delegation_id=KZ)
    assert len(callbacks) == 1  # one task for the whole batch
    assert len(batch.queued) == 1 and batch.up_to_date == 0
    assert len(batch.refused) == funded - 1
    progress = pack_progress(ashgabat, kind=Pack.Kind.VISA_LETTER)
    assert (progress["ready"], progress["total"]) == (0, 1)

    callbacks[0]()  # the task runs (eagerly)

    letter = Pack.objects.get(kind=Pack.Kind.VISA_LETTER, delegate=with_passport)
    assert (letter.status, letter.pages) == ("ready", 1)
    progress = pack_progress(ashgabat, kind=Pack.Kind.VISA_LETTER)
    assert (progress["ready"], progress["percent"]) == (1, 100)
    again = queue_visa_letters(ashgabat)  # the whole meeting: nothing changed
    assert (again.queued, again.up_to_date) == ([], 1)
