"""Browser tests: Debian's chromium driven by playwright, against live_server."""

from pathlib import Path

import pytest

from tests.services import CHROMIUM, need_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture
def browser():
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()
            # While playwright runs, Django keys connections by a context that
            # pytest-django's teardown never sees: close them in this one.
            from django.db import connections

            connections.close_all()


def csp_violations(page) -> list[str]:
    """Collect what the browser refused under the Content-Security-Policy."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return refused


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    page = context.new_page()
    refused = csp_violations(page)
    try:
        yield page
    finally:
        context.close()
    # Every page a browser test opens runs under the real policy, unbroken.
    assert refused == []


@pytest.fixture
def screenshot(page, request):
    """Save a screenshot under var/test-artifacts/ (for a person to look at)."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
