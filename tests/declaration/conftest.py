import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from declaration.models import Circulation, Comment, Version
from declaration.services import record_adoption
from tests.declaration.factories import DeclarationFactory, version_with_text


@dataclass
class DeclarationWorld:
    declaration: object
    superseded: Version
    circulated: Version
    draft: Version
    adopted_declaration: object
    adopted: Version
    comment_a: Comment  # by the world's delegation (delegates A and B)
    comment_other: Comment  # by the other focal point's delegation


@pytest.fixture
def declaration_world(world) -> DeclarationWorld:
    """On top of the access-matrix world: a declaration with v1 superseded, v2
    circulated (open for comments) and v3 a draft, one comment from each
    delegation on v2, and a second declaration whose v1 is adopted."""
    declaration = DeclarationFactory(meeting=world.meeting)
    v1 = version_with_text(
        declaration,
        1,
        status="superseded",
        circulated_at=timezone.now() - datetime.timedelta(days=20),
        comment_deadline=timezone.now() - datetime.timedelta(days=10),
    )
    v2 = version_with_text(
        declaration,
        2,
        text=[
            ("preambular", "Recalling the Global Strategy,", "ссылаясь на Стратегию,"),
            ("operative", "Commit to cooperate closely;", "обязуемся сотрудничать;"),
            ("operative", "Call upon donors to help more.", "призываем доноров."),
        ],
        status="circulated",
    )
    v3 = version_with_text(declaration, 3)
    for delegation in (world.delegation, world.other_delegation):
        Circulation.objects.create(
            version=v2, delegation=delegation, email=delegation.focal_point_email
        )
    paragraph = v2.paragraphs.get(position=2)
    comment_a = Comment.objects.create(
        paragraph=paragraph,
        delegation=world.delegation,
        language="en",
        text="Kazakhstan comment: add a reference to border management.",
    )
    comment_other = Comment.objects.create(
        paragraph=paragraph,
        delegation=world.other_delegation,
        language="ru",
        text="Комментарий Кыргызстана: просим уточнить формулировку.",
    )
    adopted_declaration = DeclarationFactory(meeting=world.meeting)
    adopted = version_with_text(adopted_declaration, 1, status="circulated")
    record_adoption(adopted, adopted_on=datetime.date(2017, 6, 13), by_acclamation=True)
    adopted.refresh_from_db()
    data = DeclarationWorld(
        declaration, v1, v2, v3, adopted_declaration, adopted, comment_a, comment_other
    )
    world.declaration = data
    return data
