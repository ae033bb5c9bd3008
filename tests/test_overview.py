"""The overview: the site's front page, breakdowns whose bars add up and link to exactly their agents."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.demo.fleet import realistic_fleet
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


def test_every_bar_lists_exactly_its_agents_and_single_valued_breakdowns_add_up_to_the_fleet(signed_in, upstream):
    upstream.set_agents(realistic_fleet(300))

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
        if key not in ("language", "action"):  # an agent counts under each of its languages and actions
            assert sum(count for _, count in drawn) == 300, key
        for url, count in drawn:
            assert listed(signed_in, url) == count, (key, url)


def test_each_language_bar_lists_exactly_the_agents_that_speak_it(signed_in, upstream):
    fleet = realistic_fleet(300)
    upstream.set_agents(fleet)

    page = signed_in.get("/").content.decode()
    drawn = dict(bars(page)["language"])

    speakers: dict[str, int] = {}
    for record in fleet:
        spoken = record["language"] if isinstance(record["language"], list) else [record["language"]]
        for code in spoken:
            speakers[code] = speakers.get(code, 0) + 1
    single = {url: parse_qs(urlsplit(url).query)["language"] for url in drawn}
    shown = {codes[0]: drawn[url] for url, codes in single.items() if len(codes) == 1}  # not the "others" bar
    assert len(shown) == 10 and {code: speakers[code] for code in shown} == shown
    for url, count in drawn.items():
        assert listed(signed_in, url) == count, url
    assert "counts in the bar of each" in page.split('id="breakdown-language"')[1].split("</section>")[0]


def test_languages_count_each_agent_under_each_language(signed_in, upstream):
    upstream.set_agents(
        [
            agent_record(id="a", language=["en", "es"]),
            agent_record(id="b", language=["en"]),
            agent_record(id="c", language=[]),
        ]
    )

    drawn = dict(bars(signed_in.get("/").content.decode())["language"])

    assert drawn == {"/agents/?language=en": 2, "/agents/?language=es": 1, "/agents/?language=~none": 1}


def test_failover_tells_set_placeholder_and_not_set_apart(signed_in, upstream):
    upstream.set_agents(
        [
            agent_record(id="a"),
            agent_record(id="b", failover_transfer_destination_id="00000000-0000-0000-0000-000000000000"),
            agent_record(id="c", failover_transfer_destination_id=None),
        ]
    )

    drawn = dict(bars(signed_in.get("/").content.decode())["failover"])

    assert drawn == {"/agents/?failover=set": 1, "/agents/?failover=placeholder": 1, "/agents/?failover=unset": 1}


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
    assert re.search(r'id="stat-error".*?data-count="1"', page, re.S)
    assert re.search(r'id="stat-changes".*?data-count="0"', page, re.S)


def test_the_headline_splits_findings_by_severity_and_each_count_lists_its_agents(signed_in, upstream):
    upstream.set_agents(realistic_fleet(300))

    page = signed_in.get("/").content.decode()

    for severity in ("error", "warning", "info"):
        found = re.search(rf'<a [^>]*href="([^"]+)" id="stat-{severity}" data-count="(\d+)">', page)
        assert found, severity
        url, count = html.unescape(found.group(1)), int(found.group(2))
        assert "finding=" in url and listed(signed_in, url) == count > 0, severity
    assert "open findings on" not in page  # no total that mixes notes with errors


@pytest.mark.parametrize("fleet", [[], [{"id": "x", "type": 7, "language": "en", "recording_enabled": "yes"}]])
def test_an_empty_or_odd_fleet_still_draws(signed_in, upstream, fleet):
    upstream.set_agents(fleet)

    response = signed_in.get("/")

    assert response.status_code == 200
