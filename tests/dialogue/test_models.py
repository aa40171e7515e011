import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from dialogue.i18n import missing_translations
from dialogue.models import Meeting
from tests.factories import MeetingFactory

CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.mark.django_db
def test_meeting_end_before_start_refused_by_database():
    with pytest.raises(IntegrityError):
        MeetingFactory(
            start_date=datetime.date(2017, 6, 13), end_date=datetime.date(2017, 6, 12)
        )


@pytest.mark.django_db
def test_meeting_bad_time_zone_refused_by_validation():
    meeting = MeetingFactory.build(time_zone="Asia/Nowhere")
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert list(excinfo.value.message_dict) == ["time_zone"]


@pytest.mark.django_db
def test_meeting_bad_country_and_languages_refused():
    meeting = MeetingFactory.build(country_code="XX", working_languages="en,fr")
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert sorted(excinfo.value.message_dict) == ["country_code", "working_languages"]


def test_fixture_meeting_has_both_languages(ashgabat):
    assert missing_translations(ashgabat, Meeting.BILINGUAL_FIELDS) == []
    for field in Meeting.BILINGUAL_FIELDS:
        assert CYRILLIC.search(getattr(ashgabat, f"{field}_ru")), field
    assert ashgabat.start_date == datetime.date(2017, 6, 13)
    assert ashgabat.time_zone == "Asia/Ashgabat"
    assert ashgabat.language_codes == ["en", "ru"]
    assert ashgabat.country_name("ru") == "Туркменистан"
    assert "Guterres" in ashgabat.chair_en
    assert "Norway" in ashgabat.donors_en
    ashgabat.full_clean()


def test_fixture_meeting_title_follows_language(ashgabat):
    assert ashgabat.title("en").startswith("High-Level UN-Central Asia Dialogue")
    assert ashgabat.title("ru").startswith("Диалог высокого уровня")
