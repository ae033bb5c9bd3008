"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server."""

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import user_in

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As root and on a closed network, Chromium needs these to start quietly and fast.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    # Every page runs under the Content-Security-Policy; a violation (an inline script or style,
    # a foreign source) fails the test like a JavaScript error does.
    context.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.reported_errors = errors  # a test that provokes an error on purpose clears what it expected
    yield page
    context.close()
    assert errors == [], f"JavaScript errors or CSP violations: {errors}"


@pytest.fixture
def ops_user(django_user_model: Any) -> Any:
    """An operator (the Operator role: sees everything, refreshes, exports, shares)."""
    return user_in(django_user_model, "ops", "Operator")


def sign_in(page: Page, username: str = "ops", password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def signed_in_page(page: Page, ops_user: Any, upstream: Any) -> Page:
    """Signed in (which lands on the overview), then on the agent list."""
    sign_in(page)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    page.goto("/agents/")
    return page
