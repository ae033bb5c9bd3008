"""The overview: the site's front page, breakdowns whose bars add up and link to exactly their agents."""

import html
import re

import pytest

from dashboard.demo.fleet import demo_fleet
from tests.conftest import agent_record


def bars(page: str) -> dict[str, list[tuple[str, int]]]:
    """breakdown key -> [(link, count)] as the page draws them."""
    found = {}
    for key, body in re.findall(r'id="breakdown-([a-z_]+)".*?<ul(.*?)</ul>', page, re.S):
        found[key] = [
            (html.unescape(url), int(count)) for url, count in re.findall(r'href="([^"]+)" data-count="(\d+)"', body)
        ]
    return found


def listed(client, url: str) -> int:
    page = client.get(url + "&per_page=25").content.decode()
    match = re.search(r"of ([\d,]+) agent", page)
    return int(match.group(1).replace(",", "")) if match else 0


def test_the_overview_is_the_front_page(signed_in, upstream):
    response = signed_in.get("/")

    assert response.status_code == 200
    assert "<title>Overview · Switchboard</title>" in response.content.decode()


def test_every_breakdown_adds_up_to_the_fleet_and_each_bar_lists_exactly_its_agents(signed_in, upstream):
    upstream.set_agents(demo_fleet(150))

    page = signed_in.get("/").content.decode()
    breakdowns = bars(page)

    assert set(breakdowns) == {
        "type",
        "model",
        "language",
        "stt_model",
        "voice",
        "action",
        "noise",
        "recording",
        "failover",
    }
    for key, drawn in breakdowns.items():
        if key != "action":  # an agent counts under each of its actions
            assert sum(count for _, count in drawn) == 150, key
        for url, count in drawn:
            assert listed(signed_in, url) == count, (key, url)


def test_languages_count_each_agent_once_by_its_combination(signed_in, upstream):
    upstream.set_agents(
        [
            agent_record(id="a", language=["en", "es"]),
            agent_record(id="b", language=["en"]),
            agent_record(id="c", language=[]),
        ]
    )

    drawn = dict(bars(signed_in.get("/").content.decode())["language"])

    assert drawn == {"/agents/?languages=en": 1, "/agents/?languages=en+%2B+es": 1, "/agents/?languages=~none": 1}


def test_recording_not_sent_is_its_own_bar(signed_in, upstream):
    upstream.set_agents([agent_record(id="a", recording_enabled=None), agent_record(id="b")])

    drawn = dict(bars(signed_in.get("/").content.decode())["recording"])

    assert drawn == {"/agents/?recording=yes": 1, "/agents/?recording=unset": 1}
    assert listed(signed_in, "/agents/?recording=unset") == 1


def test_a_long_tail_of_values_folds_into_one_bar_that_lists_them_all(signed_in, upstream):
    upstream.set_agents([agent_record(id=f"a{n}", voice_id=f"voice-{n:02d}") for n in range(14)])

    drawn = bars(signed_in.get("/").content.decode())["voice"]

    assert len(drawn) == 11
    assert drawn[-1][1] == 4 and listed(signed_in, drawn[-1][0]) == 4


def test_the_headline_counts_agents_findings_and_recent_changes(signed_in, upstream):
    upstream.set_agents([agent_record(id="a", type="outbound", phone_number=None), agent_record(id="b")])

    page = signed_in.get("/").content.decode()

    assert re.search(r'id="stat-agents".*?data-count="2"', page, re.S)
    assert re.search(r'id="stat-findings".*?data-count="1"', page, re.S)
    assert re.search(r'id="stat-changes".*?data-count="0"', page, re.S)


@pytest.mark.parametrize("fleet", [[], [{"id": "x", "type": 7, "language": "en", "recording_enabled": "yes"}]])
def test_an_empty_or_odd_fleet_still_draws(signed_in, upstream, fleet):
    upstream.set_agents(fleet)

    response = signed_in.get("/")

    assert response.status_code == 200
