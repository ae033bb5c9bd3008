"""Every screen, checked whole: at 1280 by 800 it is no wider than the window and axe-core finds no
WCAG 2.1 AA violation (best practices included) in light or dark; at 390 by 844 (a phone) it is
no wider than the window either. axe-core comes bundled with axe-playwright-python: nothing is
fetched."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.screens import site, visit_every_screen  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

AXE_SCRIPT = Axe().axe_script
THEMES = ("light", "dark")
WIDER_THAN_THE_WINDOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def violations(page: Page) -> list[str]:
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(results => results.violations)")
    return [
        f"{rule['id']}: {node['target']} {node.get('failureSummary', '')[:160]}"
        for rule in found
        for node in rule["nodes"]
    ]


def test_at_1280_every_screen_fits_and_has_no_accessibility_violations_in_light_or_dark(page: Page, site):  # noqa: F811
    page.emulate_media(reduced_motion="reduce")  # no colour transition under way while axe measures
    page.set_viewport_size({"width": 1280, "height": 800})

    too_wide, found = {}, {}
    for screen in visit_every_screen(page, site):
        if (overflow := page.evaluate(WIDER_THAN_THE_WINDOW)) > 0:
            too_wide[screen.name] = overflow
        page.evaluate(AXE_SCRIPT)
        for theme in THEMES:  # what the theme toggle does, on the page as drawn
            page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
            if problems := violations(page):
                found[f"{screen.name}, {theme}"] = problems

    assert too_wide == {}
    assert found == {}


def test_at_390_no_screen_is_wider_than_the_phone(page: Page, site):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})

    too_wide = {}
    for screen in visit_every_screen(page, site):
        if (overflow := page.evaluate(WIDER_THAN_THE_WINDOW)) > 0:
            too_wide[screen.name] = overflow

    assert too_wide == {}
