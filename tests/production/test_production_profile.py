"""The production profile, as staff and delegates use it, in Chromium.

Everything goes through the running site (gunicorn + a Celery worker on
PostgreSQL and Redis, DEBUG=0): pages, downloads and the emails the worker
sends. Nothing reads the database or the app's models directly.
"""

import datetime
import io
import re
from pathlib import Path

import icalendar
import pytest
from pypdf import PdfReader

from tests.production.conftest import FROM_EMAIL, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.services]

CYRILLIC = re.compile(r"[\u0400-\u04FF]{3,}")
NURLAN = "nurlan.sadykov@mfa-kz.example"  # Kazakhstan, Russian, funded
HELENA = "helena.lindqvist@eeas.example"  # European Union, English
DELEGATIONS = [
    "Kazakhstan",
    "Kyrgyzstan",
    "Tajikistan",
    "Turkmenistan",
    "Uzbekistan",
    "European Union",
    "Afghanistan",
    "United Nations",
]
PACKS = 24  # 8 delegations x (English, Russian, side by side)


def log_in(page, site) -> None:
    page.goto(f"{site.url}/admin/login/")
    page.fill("input[name=username]", site.username)
    page.fill("input[name=password]", site.password)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    # DEBUG=0: a password alone is not enough.
    assert page.url.startswith(f"{site.url}/admin/login/")
    page.fill("input[name=password]", site.password)
    page.fill("input[name=otp_token]", site.otp_code())
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{site.url}/admin/"
    # Secure cookies over http://127.0.0.1: Chromium must keep them, or no staff
    # member could stay logged in on this machine's production profile.
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sessionid"]["secure"] is True
    assert cookies["sessionid"]["httpOnly"] is True
    assert cookies["csrftoken"]["secure"] is True


def open_page(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url}: {response.status}"


def assert_styled(page, site) -> None:
    """Every stylesheet is collectstatic's hashed file, answers 200 and has rules."""
    hashed = {f"/static/{name}": source for source, name in site.manifest().items()}
    hrefs = page.eval_on_selector_all(
        "link[rel=stylesheet]", "links => links.map(l => l.getAttribute('href'))"
    )
    assert hrefs, "no stylesheet on the page"
    for href in hrefs:
        assert href in hashed, f"{href} is not a hashed file of the manifest"
        response = page.request.get(f"{site.url}{href}")
        assert response.status == 200, f"{href}: {response.status}"
        assert response.headers["content-type"].startswith("text/css")
    rule_counts = page.evaluate(
        "[...document.styleSheets].filter(s => s.href).map(s => s.cssRules.length)"
    )
    assert len(rule_counts) == len(hrefs)
    assert 0 not in rule_counts


def cells(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))",
    )


def links_by_email(site, *flags: str) -> dict[str, str]:
    lines = site.manage("itinerary_links", *flags).splitlines()
    return dict(line.split("\t") for line in lines)


def pdf_text(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    return reader, text


def test_admin_pages_answer_styled(production_site, page, screenshot):
    site = production_site
    log_in(page, site)
    assert_styled(page, site)
    screenshot("index")

    open_page(page, f"{site.url}/admin/delegations/delegation/readiness/")
    assert [row[0].splitlines()[0] for row in cells(page, "#readiness")] == DELEGATIONS
    assert_styled(page, site)
    screenshot("readiness")

    open_page(page, f"{site.url}/admin/travel/entitlement/budget/")
    # The whole cost of the funded seats (Turkmenistan hosts: its delegates
    # do not fly, so no line), per currency and cost line: estimated,
    # committed, paid, in the currency's own format (dialogue.money). The
    # fixture's sample DSA is $180 a night and $38 a journey end.
    assert cells(page, "#budget-totals") == [
        ["EUR", "fares", "€1,560.00", "€0.00", "€0.00"],
        ["EUR", "all cost lines", "€1,560.00", "€0.00", "€0.00"],
        ["USD", "fares", "$6,450.00", "$6,450.00", "$4,662.00"],
        ["USD", "DSA", "$3,780.00", "$2,700.00", "$180.00"],
        ["USD", "terminal expenses", "$1,824.00", "$1,368.00", "$152.00"],
        ["USD", "all cost lines", "$12,054.00", "$10,518.00", "$4,994.00"],
    ]
    assert "recomputed after payment, difference $180.00" in page.inner_text("#flagged")
    assert_styled(page, site)
    screenshot("budget")

    open_page(page, f"{site.url}/admin/packs/pack/")
    assert page.locator(".pack-progress h2").inner_text() == (
        "Progress across all packs"
    )
    assert_styled(page, site)
    screenshot("packs")

    # What the TLS proxy forwards is HTTPS to Django: HSTS, like production.
    response = page.request.get(
        f"{site.url}/admin/login/", headers={"X-Forwarded-Proto": "https"}
    )
    assert response.status == 200
    assert response.headers["strict-transport-security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


def test_packs_rendered_from_admin_download_from_link(
    production_site, page, screenshot
):
    site = production_site
    log_in(page, site)
    open_page(page, f"{site.url}/admin/dialogue/meeting/")
    page.get_by_role(
        "checkbox", name="High-Level UN-Central Asia Dialogue (2017)"
    ).check()
    page.select_option("select[name=action]", "render_briefing_packs")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert page.locator(".messagelist li").all_inner_texts() == [
        "High-Level UN-Central Asia Dialogue (2017): "
        f"{PACKS} packs queued, 0 unchanged, 0 already in progress."
    ]

    def all_ready():
        # The progress counts every pack of the site: another test's badge
        # sheet may be among them. The briefing packs are counted below.
        open_page(page, f"{site.url}/admin/packs/pack/")
        progress = page.locator(".pack-progress p").inner_text()
        assert "failed: 0" in " ".join(progress.split()), progress
        return "ready (100%)" in progress

    wait_until(all_ready, timeout=180, interval=2, message="packs not all ready")
    open_page(page, f"{site.url}/admin/packs/pack/?kind__exact=briefing&status=ready")
    counted = page.locator("#changelist .paginator").inner_text()
    assert re.search(rf"\b{PACKS}\b", counted), counted
    assert_styled(page, site)
    screenshot("packs-ready")

    link = links_by_email(site)[NURLAN]
    open_page(page, f"{link}?lang=ru")
    panel = page.locator("#briefing-pack")
    assert panel.get_by_role("link").all_inner_texts() == [
        "На английском языке",
        "На русском языке",
        "На английском и русском языках (параллельный текст)",
    ]
    screenshot("link-packs-ru")
    for index, language in ((0, "en"), (1, "ru")):
        with page.expect_download() as download_info:
            panel.get_by_role("link").nth(index).click()
        download = download_info.value
        assert download.suggested_filename == f"briefing-pack-{language}.pdf"
        reader, text = pdf_text(Path(download.path()))
        assert reader.trailer["/Root"]["/Lang"] == language
        if language == "ru":
            assert "Нурлан Садыков" in text
            assert len(CYRILLIC.findall(text)) > 50
        else:
            assert "Nurlan Sadykov" in text


def test_delegate_page_in_english_and_russian_with_calendar(
    production_site, page, screenshot
):
    site = production_site
    link = links_by_email(site)[NURLAN]

    open_page(page, f"{link}?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "Your itinerary"
    assert "Nurlan Sadykov" in page.locator("main").inner_text()
    assert_styled(page, site)
    screenshot("delegate-en")

    page.get_by_role("link", name="Русский").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").first.inner_text() == "Ваш маршрут"
    body = page.locator("main").inner_text()
    assert "Нурлан Садыков" in body
    assert len(CYRILLIC.findall(body)) > 20
    assert_styled(page, site)
    screenshot("delegate-ru")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Добавить в календарь (.ics)").click()
    download = download_info.value
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    flights = sorted(name for name in events if "KC12" in name)
    assert len(flights) == 2, sorted(events)
    outbound = events[flights[0]]
    # Astana local time (UTC+6 in 2017), from 03:10 UTC in the fixture.
    assert outbound["DTSTART"].dt == datetime.datetime(
        2017, 6, 12, 9, 10, tzinfo=outbound["DTSTART"].dt.tzinfo
    )
    assert outbound["DTSTART"].dt.utcoffset() == datetime.timedelta(hours=6)


def recipients(page) -> list[tuple[str, str, str]]:
    """Return (delegation, email, language) of the circulate form's recipients."""
    rows = []
    for item in page.locator("#recipients li").all_inner_texts():
        match = re.fullmatch(r"(.+?): .*<(\S+@\S+)> \((English|Russian)\)", item)
        assert match, f"recipient line without an email: {item}"
        rows.append((match[1], match[2], match[3]))
    return rows


def version_text(page, lang: str) -> list[str]:
    return [
        " ".join(text.split())
        for text in page.locator(
            f"table.declaration-text td[lang={lang}]"
        ).all_inner_texts()
    ]


def test_circulating_version_2_emails_every_focal_point(
    production_site, page, screenshot
):
    site = production_site
    sent_before = len(site.messages)
    log_in(page, site)
    open_page(page, f"{site.url}/admin/declaration/version/")
    page.locator("input[name=_selected_action][value='2']").check()
    page.select_option("select[name=action]", "circulate")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert page.url == f"{site.url}/admin/declaration/version/2/circulate/"
    expected = recipients(page)
    assert [name for name, _, _ in expected] == DELEGATIONS[:7]
    assert_styled(page, site)
    screenshot("circulate-form")

    deadline = datetime.date.today() + datetime.timedelta(days=14)
    page.fill("input[name=deadline_date]", deadline.isoformat())
    page.click("input[type=submit][value=Circulate]")
    page.wait_for_load_state()
    assert page.url == f"{site.url}/admin/declaration/version/2/change/"
    assert page.locator(".messagelist li").all_inner_texts() == [
        "Version 2 is circulated: the focal points are being emailed."
    ]
    text = {"en": version_text(page, "en"), "ru": version_text(page, "ru")}
    assert len(text["en"]) == len(text["ru"]) > 0

    wait_until(
        lambda: len(site.messages) - sent_before >= len(expected),
        timeout=90,
        message=f"{len(site.messages) - sent_before} of {len(expected)} emails sent",
    )
    messages = {m["To"]: m for m in site.messages[sent_before:]}
    assert sorted(messages) == sorted(email for _, email, _ in expected)

    for delegation, address, language in expected:
        message = messages[address]
        lang = "ru" if language == "Russian" else "en"
        body = message.get_body(("plain",)).get_content()
        assert message["From"] == FROM_EMAIL
        if lang == "ru":
            # Python's parser keeps the space before a folded, encoded subject.
            assert message["Subject"].strip() == (
                "Ашхабадская декларация: версия 2 направлена для замечаний"
            )
            assert len(CYRILLIC.findall(body)) > 20, body
        else:
            assert message["Subject"].strip() == (
                "Ashgabat Declaration: version 2 circulated for comments"
            )
            assert CYRILLIC.search(body) is None, body
        urls = re.findall(r"https?://\S+", body)
        assert len(urls) == 1, body
        assert urls[0].startswith(f"{site.url}/l/")
        assert urls[0].endswith(f"?lang={lang}#declaration")

        open_page(page, urls[0])
        panel = page.locator("#declaration-1")
        shown = [
            " ".join(p.split())
            for p in panel.locator(
                f".declaration-text[lang={lang}] .decl-para p"
            ).all_inner_texts()
        ]
        assert shown == text[lang], delegation
        if delegation in ("Kazakhstan", "European Union"):
            assert_styled(page, site)
            screenshot(f"email-link-{lang}")

    # Every focal point has now been emailed once and has opened the version.
    open_page(page, f"{site.url}/admin/declaration/version/2/change/")
    table = cells(page, "#circulation")
    assert [(row[0], row[1]) for row in table] == [
        (name, email) for name, email, _ in expected
    ]
    assert [row for row in table if "not yet" in row[2]] == []
    assert [row for row in table if "not yet" in row[3]] == []
    assert page.locator("#not-opened").inner_text() == (
        "Not yet opened by: every delegation has opened it."
    )
    screenshot("circulation-table")
    assert len(site.messages) - sent_before == len(expected)
