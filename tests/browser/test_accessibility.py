"""WCAG 2.1 AA, checked by axe-core (bundled by axe-playwright-python: nothing is fetched) on every
screen in both colour modes: no violations at all, best practices included."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.screens import site, visit_every_screen  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

AXE = Axe()


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [
        f"{rule['id']}: {node['target']} {node.get('failureSummary', '')[:160]}"
        for rule in found
        for node in rule["nodes"]
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_screen_has_no_accessibility_violations(page: Page, site, theme):  # noqa: F811
    page.emulate_media(reduced_motion="reduce")  # no colour transitions under way while axe measures
    page.context.add_init_script(f"localStorage.setItem('switchboard-theme', '{theme}')")

    found = {}
    for screen in visit_every_screen(page, site):
        assert page.locator("html").get_attribute("data-bs-theme") == theme
        if problems := violations(page):
            found[screen.name] = problems

    assert found == {}
