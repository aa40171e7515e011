"""The 13 June 2017 programme in agenda/fixtures/ashgabat_2017.json."""

import pytest

from agenda.models import Session
from agenda.selectors import Audience, minutes_over, programme_for, programme_queryset
from delegations.models import Delegate
from dialogue.i18n import missing_translations

pytestmark = pytest.mark.django_db


def test_fixture_has_the_concept_note_programme(ashgabat):
    sessions = list(programme_queryset(ashgabat))
    assert [s.kind for s in sessions] == [
        "opening",
        "thematic",
        "segment",
        "adoption",
        "dinner",
    ]
    assert [f"{s.start_local:%H:%M}" for s in sessions] == [
        "09:30",
        "10:00",
        "12:00",
        "13:00",
        "19:00",
    ]
    assert {s.interpretation for s in sessions} == {"en_ru"}
    assert [minutes_over(s) for s in sessions] == [0, 0, 0, 0, 0]
    for session in sessions:
        assert missing_translations(session, ("title", "description")) == []
        for slot in session.slots.all():
            assert missing_translations(slot, ("subject",)) == []


def test_fixture_ministers_speak_in_the_thematic_session(ashgabat):
    thematic = Session.objects.get(meeting=ashgabat, kind="thematic")
    speakers = list(thematic.slots.values_list("speaker_id", flat=True))
    assert speakers[:5] == [1, 4, 7, 10, 13]
    keynote = Session.objects.get(meeting=ashgabat, kind="opening").slots.get()
    assert keynote.speaker_id == 20


def test_fixture_dinner_is_hosted_and_for_heads_of_central_asian_states(ashgabat):
    dinner = Session.objects.get(meeting=ashgabat, kind="dinner")
    assert sorted(dinner.hosts.values_list("pk", flat=True)) == [20, 21]
    assert (dinner.format, dinner.invitation) == ("informal", "heads")
    kazakh_minister, kazakh_adviser = Delegate.objects.filter(pk__in=[1, 2])
    seen_by = {
        d.pk: [
            item.session.kind
            for item in programme_for(ashgabat.pk, Audience({d.delegation_id}, [d]))
        ]
        for d in (kazakh_minister, kazakh_adviser)
    }
    assert "dinner" in seen_by[1]
    assert "dinner" not in seen_by[2]
