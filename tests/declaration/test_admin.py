"""The drafters' admin: read-only frozen versions, the draft editor with
optimistic locking, circulation, comments by paragraph, diff and adoption."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from declaration.models import Adoption, Circulation, Comment, Version
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.factories import DelegationFactory
from tests.roles import staff_user


@pytest.fixture
def drafters(db):
    first, second = Client(), Client()
    first.force_login(staff_user("drafter1", "Drafters"))
    second.force_login(staff_user("drafter2", "Drafters"))
    return first, second


@pytest.fixture
def declaration(db):
    return DeclarationFactory()


def texts(version):
    return list(
        version.paragraphs.order_by("position").values_list(
            "kind", "text_en", "text_ru"
        )
    )


def editor_data(response) -> dict:
    """Return the POST data of the draft editor as it was shown."""
    form, formset = response.context["form"], response.context["formset"]
    data = {
        "lock_version": form["lock_version"].value(),
        "base": form["base"].value(),
        **{
            f"p-{name}": formset.management_form[name].value()
            for name in formset.management_form.fields
        },
    }
    for index, row in enumerate(formset.forms):
        for name in ("kind", "text_en", "text_ru", "ORDER"):
            value = row[name].value()
            data[f"p-{index}-{name}"] = "" if value is None else value
    return data


def text_url(version):
    return f"/admin/declaration/version/{version.pk}/text/"


def test_admin_shows_circulated_version_read_only_and_refuses_post(
    declaration, drafters
):
    client, _ = drafters
    version = version_with_text(declaration, 1, status="circulated")
    url = f"/admin/declaration/version/{version.pk}/change/"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in html
    assert "Recalling the Global Strategy," in html
    response = client.post(url, {"author_name": "Changed", "number": 9})
    assert response.status_code == 403
    version.refresh_from_db()
    assert (version.author_name, version.number) == ("Drafting team", 1)


def test_admin_text_editor_refuses_circulated_version(declaration, drafters):
    client, _ = drafters
    version = version_with_text(declaration, 1, status="circulated")
    before = texts(version)
    response = client.get(text_url(version))
    assert response.status_code == 302
    response = client.post(
        text_url(version),
        {
            "lock_version": "0",
            "p-TOTAL_FORMS": "1",
            "p-INITIAL_FORMS": "0",
            "p-0-kind": "operative",
            "p-0-text_en": "Rewritten",
            "p-0-text_ru": "Переписано",
        },
        follow=True,
    )
    assert (
        "Version 1 is circulated: its text can no longer change. Start a new draft "
        "from it." in response.content.decode()
    )
    assert texts(version) == before


def test_draft_form_refuses_frozen_version(declaration):
    from declaration.forms import DraftForm

    version = version_with_text(declaration, 1, status="adopted")
    form = DraftForm({"lock_version": "0"}, version=version)
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "Version 1 is adopted: its text can no longer change. Start a new draft "
        "from it."
    ]


def test_admin_text_editor_saves_draft(declaration, drafters):
    client, _ = drafters
    draft = version_with_text(declaration, 1)
    data = editor_data(client.get(text_url(draft)))
    data["p-2-text_en"] = "Commit to cooperate very closely;"
    data["p-3-DELETE"] = "on"
    response = client.post(text_url(draft), data)
    assert response.status_code == 302
    assert texts(draft) == [
        (
            "preambular",
            "Recalling the Global Strategy,",
            "ссылаясь на Глобальную стратегию,",
        ),
        ("preambular", "Welcoming the Joint Plan,", "приветствуя Совместный план,"),
        (
            "operative",
            "Commit to cooperate very closely;",
            "обязуемся тесно сотрудничать;",
        ),
    ]


def test_admin_two_drafters_second_save_refused_with_diff_and_text_kept(
    declaration, drafters
):
    first, second = drafters
    draft = version_with_text(declaration, 1)
    first_data = editor_data(first.get(text_url(draft)))
    second_data = editor_data(second.get(text_url(draft)))
    assert first_data["lock_version"] == second_data["lock_version"] == 0

    first_data["p-2-text_en"] = "Commit to cooperate closely and regularly;"
    assert first.post(text_url(draft), first_data).status_code == 302

    second_data["p-3-text_en"] = "Call upon donors and partners to help."
    response = second.post(text_url(draft), second_data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "drafter1 saved this draft at" in html
    assert "Commit to cooperate closely<ins> and regularly</ins>;" in html
    assert "Call upon donors and partners to help.</textarea>" in html
    # Nothing of the second drafter's was saved.
    assert texts(draft)[2:] == [
        (
            "operative",
            "Commit to cooperate closely and regularly;",
            "обязуемся тесно сотрудничать;",
        ),
        ("operative", "Call upon donors to help.", "призываем доноров помочь."),
    ]
    # The re-shown form now starts from the first drafter's save: merging and
    # saving again goes through.
    merged = editor_data(response)
    assert merged["lock_version"] == "1"
    merged["p-2-text_en"] = "Commit to cooperate closely and regularly;"
    assert second.post(text_url(draft), merged).status_code == 302
    assert [t[1] for t in texts(draft)[2:]] == [
        "Commit to cooperate closely and regularly;",
        "Call upon donors and partners to help.",
    ]


def test_admin_text_editor_refuses_preambular_after_operative(declaration, drafters):
    client, _ = drafters
    draft = version_with_text(declaration, 1)
    data = editor_data(client.get(text_url(draft)))
    data["p-0-ORDER"] = "9"  # the first preambular paragraph goes last
    response = client.post(text_url(draft), data)
    assert response.status_code == 400
    assert "is preambular but follows operative paragraph" in response.content.decode()


def test_secretariat_cannot_edit_text(declaration, world):
    draft = version_with_text(declaration, 1)
    response = world.clients["secretariat"].get(text_url(draft))
    assert response.status_code == 403


def test_new_draft_action_copies_latest(declaration, drafters):
    client, _ = drafters
    version_with_text(declaration, 1, status="circulated")
    response = client.post(
        "/admin/declaration/declaration/",
        {"action": "new_draft", "_selected_action": [declaration.pk]},
    )
    assert response.status_code == 302
    draft = declaration.versions.get(status="draft")
    assert (draft.number, len(texts(draft))) == (2, 4)


def test_circulate_view_circulates_and_change_page_lists_not_opened(
    declaration, drafters, django_capture_on_commit_callbacks
):
    client, _ = drafters
    kz = DelegationFactory(meeting=declaration.meeting, name_en="Kazakhstan")
    tj = DelegationFactory(meeting=declaration.meeting, name_en="Tajikistan")
    draft = version_with_text(declaration, 1)
    url = f"/admin/declaration/version/{draft.pk}/circulate/"
    assert client.get(url).status_code == 200
    deadline = timezone.localdate() + datetime.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url, {"deadline_date": deadline.isoformat(), "deadline_time": "18:00"}
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "circulated"
    assert draft.comment_deadline == datetime.datetime.combine(
        deadline, datetime.time(18, 0), tzinfo=declaration.meeting.tzinfo
    )
    Circulation.objects.filter(version=draft, delegation=kz).update(
        first_opened_at=timezone.now()
    )
    html = client.get(f"/admin/declaration/version/{draft.pk}/change/").content.decode()
    not_opened = re.search(r'<p id="not-opened">(.*?)</p>', html).group(1)
    assert "Tajikistan" in not_opened
    assert "Kazakhstan" not in not_opened
    assert tj.name_en in html


def test_comments_view_groups_by_paragraph_with_delegation(declaration, drafters):
    client, _ = drafters
    version = version_with_text(declaration, 1, status="circulated")
    kz = DelegationFactory(meeting=declaration.meeting, name_en="Kazakhstan")
    uz = DelegationFactory(meeting=declaration.meeting, name_en="Uzbekistan")
    op1 = version.paragraphs.get(position=3)
    pp1 = version.paragraphs.get(position=1)
    Comment.objects.create(
        paragraph=op1, delegation=kz, language="en", text="KZ on OP1"
    )
    Comment.objects.create(
        paragraph=op1, delegation=uz, language="ru", kind="proposal", text="UZ on OP1"
    )
    Comment.objects.create(
        paragraph=pp1, delegation=uz, language="ru", text="UZ on PP1"
    )
    html = client.get(
        f"/admin/declaration/version/{version.pk}/comments/"
    ).content.decode()
    groups = dict(
        re.findall(
            r'<div class="comment-group" id="paragraph-\d+">\s*<h3>(\w+)</h3>(.*?)'
            r'(?=<div class="comment-group"|$)',
            html,
            re.S,
        )
    )

    def names(block):
        return re.findall(r'<strong class="comment-delegation">(.*?)</strong>', block)

    assert {label: names(block) for label, block in groups.items()} == {
        "PP1": ["Uzbekistan"],
        "PP2": [],
        "OP1": ["Kazakhstan", "Uzbekistan"],
        "OP2": [],
    }


def test_diff_view_compares_any_two_versions_per_language(declaration, drafters):
    client, _ = drafters
    v1 = version_with_text(declaration, 1, status="superseded")
    v2 = version_with_text(
        declaration,
        2,
        text=[
            (
                "preambular",
                "Recalling the Global Strategy,",
                "ссылаясь на Глобальную стратегию,",
            ),
            (
                "operative",
                "Commit to cooperate closely;",
                "обязуемся очень тесно сотрудничать;",
            ),
        ],
    )
    url = f"/admin/declaration/version/diff/?old={v1.pk}&new={v2.pk}&lang=ru"
    html = client.get(url).content.decode()
    assert (
        '<p id="diff-summary">1 changed, 0 moved, 0 added, 2 removed, 1 unchanged.</p>'
        in html
    )
    assert "обязуемся<ins> очень</ins> тесно сотрудничать;" in html


def test_adopt_view_records_adoption(declaration, drafters):
    client, _ = drafters
    version = version_with_text(declaration, 1, status="circulated")
    kz = DelegationFactory(meeting=declaration.meeting)
    url = f"/admin/declaration/version/{version.pk}/adopt/"
    response = client.post(url, {"adopted_on": "2017-06-13", "delegations": [kz.pk]})
    assert response.status_code == 302
    adoption = Adoption.objects.get(version=version)
    assert (adoption.by_acclamation, list(adoption.delegations.all())) == (False, [kz])
    version.refresh_from_db()
    assert version.status == Version.Status.ADOPTED


def test_adopt_view_refuses_both_or_neither(declaration, drafters):
    client, _ = drafters
    version = version_with_text(declaration, 1, status="circulated")
    url = f"/admin/declaration/version/{version.pk}/adopt/"
    response = client.post(url, {"adopted_on": "2017-06-13"})
    assert response.status_code == 400
    assert not Adoption.objects.exists()


def test_admin_escapes_markup_in_text(declaration, drafters):
    client, _ = drafters
    xss = '<script>alert(1)</script><img src="file:///etc/passwd">'
    version = version_with_text(
        declaration, 1, text=[("operative", xss, xss)], status="circulated"
    )
    html = client.get(
        f"/admin/declaration/version/{version.pk}/change/"
    ).content.decode()
    assert "<script>alert(1)" not in html
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
