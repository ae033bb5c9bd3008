"""Search text: long texts kept once per distinct value find exactly the agents a scan of each
agent's whole text finds, and a hidden field is found by no one who may not see it."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.agents.index import SEARCHES_KEPT, FleetIndex, positions
from dashboard.agents.search_text import LONG, SearchText, searched
from dashboard.demo.fleet import realistic_fleet
from dashboard.fields import active_registry
from dashboard.fields.kinds import PLAIN
from dashboard.fields.registry import UNDECLARED
from tests.conftest import agent_record

SHARED = "You handle billing questions for ACME. Be brief, confirm the account number, never guess." * 2


def scan_of_each_text(agents, needle: str, hidden: frozenset[str] = frozenset()) -> list[int]:
    """The plain meaning of search: the agents one of whose texts holds the needle, case-folded
    (a NUL in either searched as U+FFFD)."""
    fields = [field for field in active_registry().searched if field.name not in hidden]
    needle = searched(needle)
    found = []
    for position, agent in enumerate(agents):
        parts = []
        for field in fields:
            value = field.read(agent)
            if value is not None:
                parts.extend(field.kind.texts(value, PLAIN))
        for key, value in agent.extra.items():
            if key not in hidden:
                parts.extend(UNDECLARED.texts(value))
        if any(needle in searched(part) for part in parts) or not needle:
            found.append(position)
    return found


def test_a_shared_long_text_finds_every_agent_that_carries_it_once_each():
    records = [
        agent_record(id="a-1", name="North", instructions=SHARED),
        agent_record(id="a-2", name="South", instructions=SHARED.upper()),  # the same text, but for its case
        agent_record(id="a-3", name="East", instructions="Short and different."),
        agent_record(id="a-4", name="West", instructions=SHARED, later_field="x" * LONG + " STRAẞE"),
    ]
    agents, _ = active_registry().parse(records)
    index = FleetIndex(agents)

    found = [index.agents[position].id for position in positions(index.matching_text("account number"))]

    assert found == ["a-1", "a-2", "a-4"]
    # Case-folded like the rest: ẞ folds to "ss" in a long undeclared field too.
    assert [index.agents[p].id for p in positions(index.matching_text("strasse"))] == ["a-4"]


def test_a_hidden_long_text_finds_no_one():
    agents, _ = active_registry().parse([agent_record(id="a-1", instructions=SHARED)])

    assert (
        SearchText.of(agents, active_registry().searched, PLAIN, frozenset({"instructions"})).positions(
            "account number"
        )
        == []
    )
    assert SearchText.of(agents, active_registry().searched, PLAIN, frozenset()).positions("account number") == [0]


@pytest.mark.parametrize(
    "needle",
    ["billing", "act_0123", "+1", "es", "spanish", "a", "zzqx", "never guess", "https://", "nova", "-", "0"],
)
def test_on_a_realistic_fleet_search_finds_exactly_what_a_scan_of_each_whole_text_finds(needle):
    agents, _ = active_registry().parse(realistic_fleet(600))
    text = SearchText.of(agents, active_registry().searched, PLAIN, frozenset())

    assert sorted(set(text.positions(needle))) == scan_of_each_text(agents, needle)


def test_a_match_never_runs_from_one_text_into_the_next_nor_into_the_next_agent():
    records = [
        agent_record(id="first", name="Alpha"),
        agent_record(id="nul", name="Be\0ta"),  # a NUL from upstream: the separator of the joined texts
        agent_record(id="uni", name="Café \ud800 ﬁle"),  # non-ASCII, a lone surrogate from JSON, a ligature
        agent_record(id="parts", name="Hello!", instructions=["L" * LONG], action_ids=["act_1"]),
        agent_record(id="last", name="Gamma"),
    ]
    agents, _ = active_registry().parse(records)
    text = SearchText.of(agents, active_registry().searched, PLAIN, frozenset())

    for needle in [
        "alpha",
        "gamma",
        "be\0ta",
        "\0",
        "a\0",
        "",
        "\0first",
        "ﬁ",
        "\ud800",
        "café",
        "é \ud800",
        "lo!\nact",
        "lo!\nlll",
        "lll\nact",
        "!\nl",
        "\ufffd",
    ]:
        assert sorted(set(text.positions(needle))) == scan_of_each_text(agents, needle), needle


@pytest.mark.parametrize("bits", [[], [0], [3, 64, 999], list(range(0, 1000, 2)), list(range(1000))])
def test_positions_lists_the_set_bits_in_order_sparse_or_dense(bits):
    mask = sum(1 << bit for bit in bits)

    assert positions(mask) == bits


def test_it_answers_more_searches_than_it_keeps_from_many_threads_as_a_scan_does():
    agents, _ = active_registry().parse(realistic_fleet(300))
    index = FleetIndex(agents)
    needles = ["a", "e", "bill", "sales", "es", "o", "+1", "vx"] * 3
    needles += [
        f"agent-{number}" for number in range(SEARCHES_KEPT + 20)
    ]  # past what is kept: forgotten, scanned again

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda needle: (needle, positions(index.matching_text(needle))), needles * 2))

    assert all(hits == scan_of_each_text(agents, needle) for needle, hits in found)
