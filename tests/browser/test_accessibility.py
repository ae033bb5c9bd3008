"""WCAG 2.1 AA, checked by axe-core (bundled by axe-playwright-python: nothing is fetched) on every
screen in both colour modes: no violations at all, best practices included."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.screens import site, visit_every_screen  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

AXE_SCRIPT = Axe().axe_script
THEMES = ("light", "dark")


def violations(page: Page) -> list[str]:
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(results => results.violations)")
    return [
        f"{rule['id']}: {node['target']} {node.get('failureSummary', '')[:160]}"
        for rule in found
        for node in rule["nodes"]
    ]


def test_every_screen_has_no_accessibility_violations_in_light_or_dark(page: Page, site):  # noqa: F811
    page.emulate_media(reduced_motion="reduce")  # no colour transition under way while axe measures
    page.set_viewport_size({"width": 1280, "height": 800})

    found = {}
    for screen in visit_every_screen(page, site):
        page.evaluate(AXE_SCRIPT)
        for theme in THEMES:  # what the theme toggle does, on the page as drawn
            page.evaluate(f"document.documentElement.setAttribute('data-bs-theme', '{theme}')")
            if problems := violations(page):
                found[f"{screen.name}, {theme}"] = problems

    assert found == {}
