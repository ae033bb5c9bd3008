"""The Changes page's periods: one-click presets (24 hours, yesterday, 7 and 30 days, all kept) and a
Period control that always says the period in force, so it never disagrees with From/To."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dashboard.history.filters import ChangeFilterForm
from dashboard.history.record import record_snapshot
from tests.conftest import agent_record

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def record(records, when):
    record_snapshot(records, [r["id"] for r in records], recorded_at=when, source="test")


@pytest.fixture
def week(history, upstream):
    """Agent b was removed yesterday at 08:00 (over 24 hours ago); agent c was added 5 days ago; agent d 20."""
    a, b, c, d = (agent_record(id=x, name=f"Agent {x}") for x in "abcd")
    record([a, b], NOW - timedelta(days=30))
    record([a, b, d], NOW - timedelta(days=20))
    record([a, b, c, d], NOW - timedelta(days=5))
    record([a, c, d], datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    upstream.set_agents([a, c, d])


def kinds(client, query: str) -> list[str]:
    with time_machine.travel(NOW, tick=False):
        html = client.get(f"/changes/?{query}").content.decode()
    return re.findall(r'<tr data-kind="([a-z]+)">', html)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("24h", []),
        ("yesterday", ["removed"]),
        ("7d", ["removed", "added"]),
        ("30d", ["removed", "added", "added"]),
        ("all", ["removed", "added", "added"]),
    ],
)
def test_each_preset_lists_the_changes_of_its_period(signed_in, week, period, expected):
    assert kinds(signed_in, f"period={period}") == expected


def test_yesterday_is_the_whole_utc_day_before_today():
    form = ChangeFilterForm({"period": "yesterday"})
    form.is_valid()

    assert form.window(NOW) == (
        datetime(2026, 3, 9, tzinfo=UTC),
        datetime(2026, 3, 9, 23, 59, 59, 999999, tzinfo=UTC),
    )


def test_from_and_to_win_and_the_period_control_says_so(signed_in, week):
    with time_machine.travel(NOW, tick=False):
        html = signed_in.get("/changes/?period=24h&since=2026-03-09T00:00").content.decode()

    assert '<option value="custom" selected>From / To below</option>' in html
    assert re.findall(r'<tr data-kind="([a-z]+)">', html) == ["removed"]
    presets = html.split('id="period-presets"')[1].split("</ul>")[0]
    assert "active" not in presets  # no preset is in force


def test_the_presets_are_links_that_keep_the_other_filters_and_mark_the_one_in_force(signed_in, week):
    with time_machine.travel(NOW, tick=False):
        html = signed_in.get("/changes/?period=7d&kind=added").content.decode().replace("&amp;", "&")

    presets = re.findall(r'<a class="nav-link[^"]*"( aria-current="true")? href="\?([^"]+)">([^<]+)</a>', html)
    assert [label for _, _, label in presets] == ["24 hours", "Yesterday", "7 days", "30 days", "All kept"]
    assert all("kind=added" in query for _, query, _ in presets)
    assert [label for current, _, label in presets if current] == ["7 days"]
