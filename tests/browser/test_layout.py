"""The agent list fits the screen it is on: at 1280 px every default column is fully in view (long
values cut short, whole on hover and focus) under one page scroll with a sticky header; narrower
screens set the lower-priority columns aside; below 576 px each agent is a card. (That no screen is
wider than its window is checked for every page in test_screens.py.)"""

import pytest
from playwright.sync_api import Page, expect

from dashboard.demo.fleet import demo_fleet, demo_voices
from dashboard.demo.server import FakeOpenCX
from dashboard.fields import active_registry
from tests.browser.conftest import sign_in
from tests.conftest import TOKEN_A, TOKEN_B

pytestmark = pytest.mark.browser

WIDER_THAN_THE_WINDOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def demo_agents(upstream):
    """The demo's agents: long names, findings, every kind of value."""
    upstream.set_agents(demo_fleet(30))
    upstream.set_voices(demo_voices())


def header_boxes(page: Page) -> dict[str, dict]:
    """Each shown column's header cell: its box, and whether its column is set aside."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#results thead th')].map((th, i) => {
          const box = th.getBoundingClientRect();
          const col = document.querySelectorAll('#results col')[i];
          return [th.classList.contains('select-cell') ? 'select' : th.textContent.replace(/[▲▼]/g, '').trim(),
                  {left: box.left, right: box.right, width: box.width,
                   aside: getComputedStyle(col).visibility === 'collapse'}];
        }))"""
    )


def test_at_1280_every_default_column_is_in_view_with_one_page_scroll_and_a_sticky_header(
    signed_in_page: Page, demo_agents
):
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/agents/")

    boxes = header_boxes(page)
    labels = [active_registry().columns[key].label for key in active_registry().default_columns]
    assert [label for label in boxes if label != "select"] == labels
    assert {label: box for label, box in boxes.items() if box["aside"] or box["left"] < 0 or box["right"] > 1280} == {}
    # One page scroll: nothing inside the page scrolls on its own, and the header stays in view.
    assert page.locator("#results").evaluate("box => box.scrollHeight <= box.clientHeight + 1")
    page.mouse.wheel(0, 900)
    expect(page.locator("#results thead th").first).to_be_in_viewport()
    # A name cut short says all of itself on hover.
    cut = page.locator("#results a.agent-link").evaluate_all(
        "links => links.findIndex(link => link.scrollWidth > link.clientWidth)"
    )
    assert cut >= 0, "no name is long enough to be cut short: the fleet should have one"
    link = page.locator("#results a.agent-link").nth(cut)
    link.hover()
    expect(link).to_have_attribute("title", link.inner_text().strip())
    # And on keyboard focus anywhere in its row, the row wraps to show it whole.
    link.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    expect(link).to_be_focused()
    assert link.evaluate("el => getComputedStyle(el).whiteSpace === 'normal' && el.scrollWidth <= el.clientWidth")


def test_narrower_screens_set_lower_priority_columns_aside_and_phones_get_cards(signed_in_page: Page, demo_agents):
    page = signed_in_page
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto("/agents/")

    aside = [label for label, box in header_boxes(page).items() if box["aside"]]
    assert aside == ["Voice", "STT model", "Updated"]
    assert page.evaluate(WIDER_THAN_THE_WINDOW) <= 0

    page.set_viewport_size({"width": 390, "height": 844})
    card = page.locator("#results tbody tr").first
    assert card.evaluate("row => getComputedStyle(row).display") == "flex"
    expect(card.locator("td[data-label='Updated']")).to_be_visible()  # every chosen column, in the card
    expect(card.locator("a.agent-link")).to_be_visible()
    expect(card.get_by_role("checkbox")).to_be_visible()


@pytest.fixture
def two_long_named_orgs(settings):
    """Two organizations of the demo's agents, one with a long name: the list across them has one more column."""
    with (
        FakeOpenCX(demo_fleet(30), token=TOKEN_A, voices=demo_voices()) as north,
        FakeOpenCX(demo_fleet(30), token=TOKEN_B, voices=demo_voices()) as south,
    ):
        settings.DEMO_MODE = False
        settings.OPENCX_API_TOKEN = ""
        settings.OPENCX_ORGS = [
            {"slug": "north", "name": "Northwind Healthcare Production (EU)", "token": TOKEN_A, "url": north.url},
            {"slug": "south", "name": "South", "token": TOKEN_B, "url": south.url},
        ]
        yield


def test_across_organizations_the_organization_column_and_every_default_column_fit_at_1280(
    page: Page, ops_user, two_long_named_orgs
):
    sign_in(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/agents/")

    boxes = header_boxes(page)
    labels = [active_registry().columns[key].label for key in active_registry().default_columns]
    assert [label for label in boxes if label != "select"] == [labels[0], "Organization", *labels[1:]]
    assert {label: box for label, box in boxes.items() if box["aside"] or box["left"] < 0 or box["right"] > 1280} == {}
    assert page.evaluate(WIDER_THAN_THE_WINDOW) <= 0
    # The long name is cut short in its cell and whole on hover.
    cell = page.locator("#results td.org", has_text="Northwind").first
    cell.hover()
    expect(cell).to_have_attribute("title", "Northwind Healthcare Production (EU)")
