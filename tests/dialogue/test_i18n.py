"""The Russian UI catalogue is complete and the admin works in Russian."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def untranslated_entries(po_text: str) -> list[str]:
    """Return the msgids whose msgstr is empty or marked fuzzy."""
    missing = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        msgid = "".join(_strings_after(lines, "msgid "))
        if not msgid:
            continue  # the header
        plural = any(line.startswith("msgstr[") for line in lines)
        if plural:
            values = [
                "".join(_strings_after(lines, f"msgstr[{n}] "))
                for n in range(4)
                if any(line.startswith(f"msgstr[{n}] ") for line in lines)
            ]
        else:
            values = ["".join(_strings_after(lines, "msgstr "))]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        if fuzzy or not all(values):
            missing.append(msgid)
    return missing


def _strings_after(lines: list[str], keyword: str) -> list[str]:
    collected, active = [], False
    for line in lines:
        if line.startswith(keyword):
            active = True
            collected.append(line[len(keyword) :].strip()[1:-1])
        elif active and line.startswith('"'):
            collected.append(line.strip()[1:-1])
        elif active:
            break
    return collected


def test_russian_catalogue_has_no_empty_msgstr():
    text = CATALOGUE.read_text(encoding="utf-8")
    assert untranslated_entries(text) == []


def test_untranslated_entries_finds_empty_and_fuzzy():
    sample = (
        'msgid ""\nmsgstr ""\n"Language: ru\\n"\n\n'
        'msgid "Done"\nmsgstr "Готово"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Fuzzy"\nmsgstr "Нечто"\n'
    )
    assert untranslated_entries(sample) == ["Empty", "Fuzzy"]


def test_compiled_catalogue_exists():
    assert (CATALOGUE.parent / "django.mo").exists()


@pytest.mark.django_db
def test_admin_index_in_russian(client):
    user = get_user_model().objects.create_superuser("root", "r@example.org", "pw")
    client.force_login(user)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Диалог: секретариат встречи" in html
    assert "Встречи" in html
    assert "Выйти" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, lang, name",
    [
        ("/admin/otp_totp/", "ru", "Приложения-аутентификаторы"),
        ("/admin/otp_totp/totpdevice/", "ru", "приложение-аутентификатор"),
        ("/admin/otp_static/", "ru", "Наборы резервных кодов"),
        ("/admin/otp_static/staticdevice/", "ru", "набор резервных кодов"),
        ("/admin/otp_totp/", "en", "Authenticator apps"),
        ("/admin/otp_static/", "en", "Sets of recovery codes"),
    ],
)
def test_second_factor_devices_are_named_in_the_interface_language(
    client, url, lang, name
):
    user = get_user_model().objects.create_superuser("root", "r@example.org", "pw")
    client.force_login(user)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert name in html
    assert "TOTP device" not in html and "Static device" not in html


@pytest.mark.django_db
def test_admin_lists_count_without_a_plural_to_agree(client, ashgabat):
    """Django printed «22 делегаты», «7 замечания»: the plural name whatever the
    number. The lists say «Делегаты: 22» / "Delegates: 22"."""
    from delegations.models import Delegate

    user = get_user_model().objects.create_superuser("root", "r@example.org", "pw")
    client.force_login(user)
    count = Delegate.objects.count()
    url = "/admin/delegations/delegate/"
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert f'<span class="result-count">Делегаты: {count}</span>' in russian
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<span class="result-count">Delegates: {count}</span>' in english


@pytest.mark.django_db
def test_every_admin_page_says_whose_clock_its_times_are_on(client, ashgabat):
    user = get_user_model().objects.create_superuser("root", "r@example.org", "pw")
    client.force_login(user)
    url = "/admin/packs/pack/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dates and times: Ashgabat time (UTC+5)" in english
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Даты и время — по ашхабадскому времени (UTC+5)" in russian


@pytest.mark.django_db
def test_admin_titles_read_right_in_russian(client, ashgabat):
    """Django's «Изменить делегация» put the name in the wrong case."""
    from delegations.models import Delegation

    user = get_user_model().objects.create_superuser("root", "r@example.org", "pw")
    client.force_login(user)
    delegation = Delegation.objects.first()
    url = f"/admin/delegations/delegation/{delegation.pk}/change/"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "<h1>Изменение: делегация</h1>" in html
    html = client.get(
        "/admin/delegations/delegate/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "<h1>Выбор для изменения: делегат</h1>" in html


@pytest.mark.django_db
def test_declaration_versions_are_named_in_the_interface_language(ashgabat):
    from django.utils import translation

    from declaration.models import Version

    version = Version.objects.get(declaration__meeting=ashgabat, number=2)
    with translation.override("en"):
        assert str(version) == "Ashgabat Declaration v2 (draft)"
    with translation.override("ru"):
        assert str(version) == "Ашхабадская декларация, версия 2 (проект)"
