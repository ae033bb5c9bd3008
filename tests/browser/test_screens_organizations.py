"""The screens of several organizations (the demo's Production and Staging), checked whole as
test_screens.py checks the others: at 1280 by 800 no wider than the window and no axe-core
violation in light or dark; at 390 by 844 no wider than the phone."""

import re

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import sign_in
from tests.browser.test_screens import AXE_SCRIPT, THEMES, WIDER_THAN_THE_WINDOW, violations

pytestmark = pytest.mark.browser

SCREENS = {
    "overview across organizations": "/",
    "list across organizations": "/agents/",
    "search across organizations": "/agents/?q=billing",
    "findings across organizations": "/findings/",
    "changes: which organization": "/changes/",
    "drift: choose two": "/drift/",
    "drift": "/drift/production/staging/",
    "drift, differing models": "/drift/staging/production/?kind=differs&field=model",
    "one organization's list": "/o/staging/agents/",
}


@pytest.fixture
def demo_orgs(page: Page, ops_user, settings) -> Page:
    settings.DEMO_MODE = True
    settings.DEMO_AGENTS = 30
    sign_in(page)
    page.wait_for_url(re.compile(r"/$"))
    return page


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_every_screen_of_several_organizations_fits_and_has_no_accessibility_violations(
    demo_orgs: Page, width: int, height: int
):
    page = demo_orgs
    page.emulate_media(reduced_motion="reduce")
    page.set_viewport_size({"width": width, "height": height})

    too_wide, found = {}, {}
    for name, path in SCREENS.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, (name, response and response.status)
        if (overflow := page.evaluate(WIDER_THAN_THE_WINDOW)) > 0:
            too_wide[name] = overflow
        if width == 1280:
            page.evaluate(AXE_SCRIPT)
            for theme in THEMES:
                page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
                if problems := violations(page):
                    found[f"{name}, {theme}"] = problems

    assert too_wide == {}
    assert found == {}
