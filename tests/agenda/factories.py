import datetime

import factory

from tests.factories import DelegateFactory, MeetingFactory


def at(hour: int, minute: int = 0) -> datetime.datetime:
    """Return 13 June 2017 at a wall-clock time in Ashgabat (UTC+5), in UTC."""
    return datetime.datetime(2017, 6, 13, hour - 5, minute, tzinfo=datetime.UTC)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "agenda.Room"

    meeting = factory.SubFactory(MeetingFactory)
    name_en = factory.Sequence(lambda n: f"Hall {n}")
    name_ru = factory.Sequence(lambda n: f"Зал {n}")
    venue_en = "Yyldyz Hotel"
    venue_ru = "гостиница «Йылдыз»"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "agenda.Session"
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    room = factory.SubFactory(RoomFactory, meeting=factory.SelfAttribute("..meeting"))
    kind = "thematic"
    title_en = factory.Sequence(lambda n: f"Session {n}")
    title_ru = factory.Sequence(lambda n: f"Сессия {n}")
    start_at = factory.LazyFunction(lambda: at(10))
    end_at = factory.LazyFunction(lambda: at(11))
    format = "plenary"
    interpretation = "en_ru"
    invitation = "all"


class SpeakingSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "agenda.SpeakingSlot"

    session = factory.SubFactory(SessionFactory)
    position = factory.Sequence(lambda n: n + 1)
    speaker = factory.SubFactory(
        DelegateFactory,
        delegation__meeting=factory.SelfAttribute("...session.meeting"),
    )
    subject_en = "Statement"
    subject_ru = "Выступление"
    minutes = 10
