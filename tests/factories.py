import datetime

import factory

from dialogue.models import Meeting


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    slug = factory.Sequence(lambda n: f"meeting-{n}")
    title_en = factory.Sequence(lambda n: f"High-Level Dialogue {n}")
    title_ru = factory.Sequence(lambda n: f"Диалог высокого уровня {n}")
    short_title_en = "Dialogue"
    short_title_ru = "Диалог"
    start_date = datetime.date(2017, 6, 13)
    end_date = datetime.date(2017, 6, 13)
    time_zone = "Asia/Ashgabat"
    venue_en = "Yyldyz Hotel"
    venue_ru = "Гостиница «Йылдыз»"
    city_en = "Ashgabat"
    city_ru = "Ашхабад"
    country_code = "TM"
    venue_airport = "ASB"
    chair_en = "The Secretary-General"
    chair_ru = "Генеральный секретарь"
    organisers_en = "UNCCT; UNRCCA"
    organisers_ru = "КТЦ ООН; РЦПДЦА"
    background_en = "Background."
    background_ru = "Предыстория."
    objectives_en = "Objectives."
    objectives_ru = "Цели."
    format_en = "Format."
    format_ru = "Формат."
    participants_en = "Participants."
    participants_ru = "Участники."
    expected_outcomes_en = "Outcomes."
    expected_outcomes_ru = "Ожидаемые итоги."
    secretariat_email = "secretariat@example.org"
