"""Picking agents to compare on the list: the picks live in the list's URL (`pick=`), so they stay
across pages, sorts and filters, and "Compare (n)" opens them whatever page they were ticked on."""

import html
import re

import pytest

from tests.conftest import agent_record


@pytest.fixture
def fleet(upstream):
    upstream.set_agents([agent_record(id=f"a{n:02d}", name=f"Agent {n:02d}", model="oppie-vox-2") for n in range(30)])


def page_of(client, query: str) -> str:
    return client.get(f"/agents/?{query}").content.decode()


def test_picked_agents_are_ticked_on_their_page_and_carried_from_any_other(signed_in, fleet):
    first = page_of(signed_in, "sort=name&per_page=25&pick=a01&pick=a27")
    second = page_of(signed_in, "sort=name&per_page=25&page=2&pick=a01&pick=a27")

    assert 'value="a01" aria-label="Compare Agent 01" checked' in first
    assert 'value="a27" aria-label="Compare Agent 27" checked' in second
    compare_form = re.search(r'<form method="get" action="/agents/compare/" id="compare-form".*?</form>', first, re.S)
    assert re.findall(r'type="hidden" name="id" value="([^"]+)"', compare_form.group(0)) == ["a27"]
    assert 'Compare <span id="compare-count">(2)</span>' in first
    assert "2 picked" in first and 'aria-disabled="true"' not in compare_form.group(0)


def test_every_way_around_the_list_keeps_the_picks(signed_in, fleet):
    page = page_of(signed_in, "model=oppie-vox-2&sort=name&per_page=25&pick=a03")

    links = [html.unescape(link) for link in re.findall(r'href="(\?[^"]*)"', page)]
    assert links and all("pick=a03" in link for link in links)  # pages, sorts, page sizes, chips
    assert re.search(r'id="clear-all"', page) and 'href="/agents/?pick=a03" id="clear-all"' in page
    assert '<input type="hidden" name="pick" value="a03">' in page  # the filter form sends them on


def test_fewer_than_two_picks_say_what_to_do_in_words(signed_in, fleet):
    page = page_of(signed_in, "pick=a03")

    assert 'id="compare-button" aria-describedby="compare-hint" aria-disabled="true"' in page
    assert '<span class="text-body-secondary" id="compare-hint">tick 2 to 4 agents</span>' in page


def test_picks_are_bounded_and_a_shared_list_has_none(signed_in, client, fleet):
    crowded = page_of(signed_in, "&".join(f"pick=a{n:02d}" for n in range(25)))

    assert crowded.count('<input type="hidden" name="pick"') == 20
    assert "at most 4 side by side" in crowded


def test_a_pick_no_longer_in_the_data_is_dropped(signed_in, fleet):
    page = page_of(signed_in, "pick=a01&pick=gone")

    assert '<input type="hidden" name="pick" value="a01">' in page
    assert 'value="gone"' not in page and 'Compare <span id="compare-count">(1)</span>' in page
