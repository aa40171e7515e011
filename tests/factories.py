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


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegations.Delegation"

    meeting = factory.SubFactory(MeetingFactory)
    kind = "member_state"
    country_code = factory.Iterator(["KZ", "KG", "TJ", "TM", "UZ"])
    name_en = factory.Sequence(lambda n: f"State {n}")
    name_ru = factory.Sequence(lambda n: f"Государство {n}")
    invitation_status = "confirmed"
    focal_point_name = "Focal Point"
    focal_point_email = factory.Sequence(lambda n: f"protocol{n}@mfa.example")
    language = "ru"
    funded_quota = 3


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegations.Delegate"

    delegation = factory.SubFactory(DelegationFactory)
    name_latin = factory.Sequence(lambda n: f"Delegate Number{n}")
    name_cyrillic = factory.Sequence(lambda n: f"Делегат Номер{n}")
    position_en = "Minister of Foreign Affairs"
    position_ru = "Министр иностранных дел"
    role = "head"
    email = factory.Sequence(lambda n: f"delegate{n}@mfa.example")
    phone = "+99312345678"
    preferred_language = "ru"
    funded = False


class FlightLegFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegations.FlightLeg"

    delegate = factory.SubFactory(DelegateFactory)
    carrier = "Air Astana"
    flight_number = factory.Sequence(lambda n: f"KC{100 + n}")
    from_airport = "NQZ"
    to_airport = "ASB"
    departs_at = datetime.datetime(2017, 6, 12, 3, 10, tzinfo=datetime.UTC)
    arrives_at = datetime.datetime(2017, 6, 12, 5, 55, tzinfo=datetime.UTC)
    status = "ticketed"
    fare = "412.00"
    currency = "USD"


class HotelStayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegations.HotelStay"

    delegate = factory.SubFactory(DelegateFactory)
    hotel_en = "Yyldyz Hotel"
    hotel_ru = "Гостиница «Йылдыз»"
    check_in = datetime.date(2017, 6, 12)
    check_out = datetime.date(2017, 6, 14)
