"""Keyboard first: the skip link goes to the results, menus move with the arrow keys, a filter or a
column applies as its box is ticked and the focus comes back to that box, focus is a ring that never
looks like an active filter, and the URL carries no empty parameter."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def query_of(page: Page) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query, keep_blank_values=True)


def test_ticking_a_facet_by_keyboard_applies_it_and_the_focus_comes_back_to_it(signed_in_page: Page):
    page = signed_in_page
    page.keyboard.press("/")
    page.keyboard.press("Tab")
    expect(page.locator("#filter-type")).to_be_focused()

    page.keyboard.press("ArrowDown")  # opens the menu at its first value, once fetched
    menu = page.locator('[aria-labelledby="filter-type"]')
    boxes = menu.locator("input[type=checkbox]")
    expect(boxes.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(boxes.nth(1)).to_be_focused()
    page.keyboard.press("Home")
    expect(boxes.first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(page.locator("#filter-type")).to_be_focused()

    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    value = boxes.last.get_attribute("value")
    with page.expect_navigation():
        page.keyboard.press("Space")

    ticked = page.locator(f'[aria-labelledby="filter-type"] input[value="{value}"]')
    # The menu reopens and fetches its values, which replace its boxes: wait for them.
    expect(menu.locator(".facet-options")).not_to_have_attribute("aria-busy", "true")
    expect(ticked).to_be_focused()
    expect(ticked).to_be_checked()
    assert query_of(page) == [("type", value)]  # nothing else: no empty field came along
    page.keyboard.press("Space")  # and off again, from where the focus is
    expect(page).to_have_url(re.compile(r"/agents/\??$"))  # a form with nothing to send
    expect(page.locator(f'[aria-labelledby="filter-type"] input[value="{value}"]')).to_be_focused()


def test_searching_and_applying_more_filters_send_no_empty_parameter(signed_in_page: Page):
    page = signed_in_page
    page.get_by_role("button", name="More filters").click()
    page.locator("#more-filters").get_by_label("Recording", exact=True).select_option("yes")
    page.get_by_role("searchbox", name="Search agents").fill("billing")
    with page.expect_navigation():
        page.get_by_role("searchbox", name="Search agents").press("Enter")

    assert sorted(query_of(page)) == [("q", "billing"), ("recording", "yes")]
    expect(page.get_by_role("searchbox", name="Search agents")).to_be_focused()


def test_the_skip_link_goes_to_the_results(signed_in_page: Page):
    page = signed_in_page
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the agents")
    expect(skip).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.closest('#results') !== null")
    expect(page.locator("#results thead a.sort-link").first).to_be_focused()


def test_focus_is_a_ring_and_never_looks_like_an_active_filter(signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?model=oppie-vox-2")

    def look(selector: str) -> dict:
        return page.locator(selector).evaluate(
            "el => { const s = getComputedStyle(el); return {bg: s.backgroundColor, outline: s.outlineStyle}; }"
        )

    resting = look("#filter-type")
    active = look("#filter-model")  # a filter with a ticked value
    page.keyboard.press("/")
    page.keyboard.press("Tab")
    expect(page.locator("#filter-type")).to_be_focused()
    focused = look("#filter-type")

    assert focused["outline"] == "solid" and resting["outline"] == "none"
    assert focused["bg"] == resting["bg"] != active["bg"]


def test_the_column_chooser_applies_as_a_box_is_ticked_and_keeps_its_buttons_in_view(signed_in_page: Page):
    page = signed_in_page
    page.get_by_role("button", name="Columns").click()
    chooser = page.locator("#column-form")
    chooser.evaluate("menu => menu.scrollTop = menu.scrollHeight")
    expect(chooser.get_by_role("button", name="Show these")).to_be_in_viewport()
    expect(chooser.get_by_role("button", name="Reset to defaults")).to_be_in_viewport()

    with page.expect_navigation():
        chooser.get_by_label("Speed", exact=True).check()

    expect(page).to_have_url(re.compile(r"columns=[^&]*speed"))
    expect(page.locator("#results thead")).to_contain_text("Speed")
    expect(page.locator("#column-form").get_by_label("Speed", exact=True)).to_be_focused()
