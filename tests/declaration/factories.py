import datetime

import factory
from django.utils import timezone

from declaration.models import Declaration, Paragraph, Version
from tests.factories import MeetingFactory


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    meeting = factory.SubFactory(MeetingFactory)
    title_en = factory.Sequence(lambda n: f"Declaration {n}")
    title_ru = factory.Sequence(lambda n: f"Декларация {n}")


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Version

    declaration = factory.SubFactory(DeclarationFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = Version.Status.DRAFT
    author_name = "Drafting team"
    created_at = factory.LazyFunction(timezone.now)


class ParagraphFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paragraph

    version = factory.SubFactory(VersionFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = Paragraph.Kind.OPERATIVE
    text_en = factory.Sequence(lambda n: f"Commit to action number {n};")
    text_ru = factory.Sequence(lambda n: f"обязуемся принять меры номер {n};")


TEXT = [
    (
        "preambular",
        "Recalling the Global Strategy,",
        "ссылаясь на Глобальную стратегию,",
    ),
    ("preambular", "Welcoming the Joint Plan,", "приветствуя Совместный план,"),
    ("operative", "Commit to cooperate closely;", "обязуемся тесно сотрудничать;"),
    ("operative", "Call upon donors to help.", "призываем доноров помочь."),
]


def version_with_text(declaration, number=1, text=TEXT, **fields) -> Version:
    """Return a version of the declaration with paragraphs, in any status.

    The paragraphs are written while it is a draft; the status is set after.
    """
    version = VersionFactory(declaration=declaration, number=number)
    for position, (kind, en, ru) in enumerate(text, start=1):
        Paragraph.objects.create(
            version=version, position=position, kind=kind, text_en=en, text_ru=ru
        )
    if fields:
        fields.setdefault("circulated_at", timezone.now())
        fields.setdefault(
            "comment_deadline", timezone.now() + datetime.timedelta(days=10)
        )
        Version.objects.filter(pk=version.pk).update(**fields)
        version.refresh_from_db()
    return version
