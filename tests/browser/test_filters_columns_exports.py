"""Issue-5 behaviour in headless Chromium: every filter kind, facet counts, shared URLs, columns, exports."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_agent_pages import names, rows
from tests.conftest import agent_record

pytestmark = pytest.mark.browser


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            agent_record(
                id="a1",
                name="Alpha",
                type="inbound",
                model="oppie-vox-2",
                recording_enabled=True,
                failover_transfer_destination_id=None,
                speed=0.9,
                created_at="2024-01-10T08:00:00Z",
                instructions=["Speak Spanish."],
            ),
            agent_record(
                id="a2",
                name="Bravo",
                type="outbound",
                model="oppie-vox-2",
                recording_enabled=False,
                failover_transfer_destination_id=None,
                speed=1.2,
                created_at="2024-03-05T10:00:00Z",
            ),
            agent_record(
                id="a3",
                name="Charlie",
                type="outbound",
                model="oppie-vox",
                recording_enabled=True,
                failover_transfer_destination_id="3c90c3cc-0d44-4b50-8888-8dd25736052a",
                speed=1.1,
                created_at="2023-12-31T10:00:00Z",
            ),
            agent_record(
                id="a4",
                name="Delta",
                type="inbound",
                model="oppie-vox",
                recording_enabled=True,
                failover_transfer_destination_id=None,
                speed=None,
                created_at="2024-06-01T10:00:00Z",
            ),
        ]
    )
    return upstream


def panel(page: Page):
    return page.locator("#more-filters")


def more_filters(page: Page) -> None:
    if not page.locator("#more-filters").is_visible():
        page.get_by_role("button", name="More filters").click()
        expect(page.locator("#more-filters")).to_be_visible()


def apply(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()


def test_each_filter_kind_narrows_alone_and_all_combine_with_search(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?sort=name")

    more_filters(page)
    panel(page).get_by_label("Recording", exact=True).select_option("yes")
    apply(page)
    assert names(page) == ["Alpha", "Charlie", "Delta"]

    more_filters(page)
    panel(page).get_by_label("Failover destination", exact=True).select_option("unset")
    apply(page)
    assert names(page) == ["Alpha", "Delta"]

    more_filters(page)
    panel(page).get_by_label("Speed to").fill("1")
    apply(page)
    assert names(page) == ["Alpha"]

    page.goto("/agents/?sort=name")
    more_filters(page)
    panel(page).get_by_label("Created on or after").fill("2024-01-01")
    apply(page)
    assert names(page) == ["Alpha", "Bravo", "Delta"]
    page.get_by_role("searchbox", name="Search agents").fill("spanish")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert names(page) == ["Alpha"]


def test_facet_counts_match_the_rows_an_option_shows(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?recording=yes")
    page.get_by_role("button", name="Model", exact=True).click()
    menu = page.locator('[aria-labelledby="filter-model"]')
    expect(menu.locator(".form-check .facet-count")).to_have_count(2)  # the menu fetches its values on open
    counts = {
        option.locator("label").inner_text(): int(option.locator(".facet-count").inner_text())
        for option in menu.locator(".form-check").all()
    }
    assert counts == {"oppie-vox": 2, "oppie-vox-2": 1}

    menu.get_by_label("oppie-vox", exact=True).check()
    expect(rows(page)).to_have_count(counts["oppie-vox"])


def test_a_shared_url_reproduces_filters_order_page_size_and_columns(fleet, signed_in_page: Page, browser, live_server):
    page = signed_in_page
    page.goto("/agents/?model=oppie-vox&model=oppie-vox-2&type=outbound&sort=-name&per_page=25&columns=speed,id")
    shared = page.url
    shown = names(page)

    other = browser.new_context(base_url=live_server.url).new_page()
    from tests.browser.conftest import sign_in

    sign_in(other)
    other.goto(shared)
    assert names(other) == shown == ["Charlie", "Bravo"]
    headers = [h.strip(" ▲▼") for h in other.locator("thead th[aria-sort]").all_inner_texts()]
    assert headers == ["Name", "Id", "Speed"]
    expect(other.locator("thead th[aria-sort]").first).to_have_attribute("aria-sort", "descending")
    expect(other.get_by_role("group", name="Agents per page").get_by_role("link", name="25")).to_have_attribute(
        "aria-current", "true"
    )
    expect(other.locator("#chips .chip")).to_have_count(3)
    other.context.close()


def test_the_column_chooser_shows_remembers_and_resets(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?q=a")
    page.get_by_role("button", name="Columns").click()
    chooser = page.locator("#column-form")
    chooser.get_by_label("Speed", exact=True).check()
    chooser.get_by_label("Voice", exact=True).uncheck()
    page.get_by_role("button", name="Show these").click()

    expect(page).to_have_url(re.compile(r"columns=.*speed"))
    headers = page.locator("thead th[aria-sort]").all_inner_texts()
    assert "Speed" in headers and "Voice" not in headers

    page.goto("/agents/")  # remembered for this user
    assert "Speed" in page.locator("thead th[aria-sort]").all_inner_texts()

    page.get_by_role("button", name="Columns").click()
    page.get_by_role("button", name="Reset to defaults").click()
    headers = page.locator("thead th[aria-sort]").all_inner_texts()
    assert "Speed" not in headers and "Voice" in headers


def test_exporting_downloads_the_filtered_rows_with_the_shown_columns(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?type=outbound&sort=name&per_page=25&columns=speed")
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value

    assert re.fullmatch(r"agents-\d{8}T\d{6}Z\.csv", download.suggested_filename)
    content = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115  (it starts with a BOM)
    assert list(csv.reader(io.StringIO(content))) == [["Name", "Speed"], ["Bravo", "1.2"], ["Charlie", "1.1"]]


def test_copy_buttons_copy_the_id_and_phone_number(fleet, signed_in_page: Page):
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/agents/a1/")

    page.get_by_role("button", name="Copy id").click()
    expect(page.get_by_role("button", name="Copy id")).to_have_text("copied")
    assert page.evaluate("navigator.clipboard.readText()") == "a1"


def test_the_list_keeps_its_place_after_visiting_an_agent(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?type=inbound&sort=-name")
    page.get_by_role("link", name="Delta").click()
    page.go_back()

    assert names(page) == ["Delta", "Alpha"]
    expect(page.locator("#chips .chip")).to_have_count(1)


def test_a_findings_count_opens_exactly_the_agents_it_counts(fleet, signed_in_page: Page):
    page = signed_in_page
    page.get_by_role("link", name="Findings").click()
    row = page.locator("#rule-no-failover")
    count = int(row.locator(".finding-count").inner_text())

    row.get_by_role("link").click()

    expect(rows(page)).to_have_count(count)
    expect(page.locator("#chips .chip")).to_have_text(re.compile("finding: no-failover"))
    page.get_by_role("link", name="Alpha").click()
    expect(page.locator("#agent-findings")).to_contain_text("no-failover")


@pytest.fixture
def many_key_terms(upstream):
    upstream.set_agents(
        [agent_record(id=f"a{n}", name=f"Agent {n:02d}", stt_keyterms=[f"term-{n:02d}", "shared"]) for n in range(60)]
    )


def test_a_facet_menu_with_many_values_fetches_them_and_finds_the_rest(many_key_terms, signed_in_page: Page):
    page = signed_in_page

    page.get_by_role("button", name="Key term", exact=True).click()
    menu = page.locator('[aria-labelledby="filter-keyterm"]')
    expect(menu.locator(".facet-options input[type=checkbox]")).to_have_count(50)  # fetched: 50 of 61
    menu.get_by_role("searchbox", name="Find a key term").fill("term-57")
    expect(menu.locator(".facet-options input[type=checkbox]")).to_have_count(1)
    with page.expect_navigation():
        menu.get_by_label("term-57").check()

    assert names(page) == ["Agent 57"]
    expect(page.locator("#chips")).to_contain_text("key term: term-57")


@pytest.fixture
def speakers(upstream):
    upstream.set_agents(
        [
            agent_record(id="a1", name="Both", language=["en", "es"]),
            agent_record(id="a2", name="English", language=["en"]),
            agent_record(id="a3", name="Spanish", language=["es"]),
        ]
    )


def test_ticking_several_values_of_a_list_can_ask_for_all_of_them(speakers, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?language=en&language=es&sort=name")
    assert names(page) == ["Both", "English", "Spanish"]

    page.get_by_role("button", name="Language (2 ticked)").click()
    with page.expect_navigation():
        page.get_by_label("only agents with every ticked language").check()

    assert names(page) == ["Both"]
