"""The list's rows: a page of them is the same slice of every row, in any order, without a list of
every row made first."""

import pytest

from dashboard.agents.index import FleetIndex
from dashboard.agents.tables import AgentRows
from dashboard.fields import parse_agents
from tests.conftest import agent_record

NAMES = ["Delta", "Alpha", "Echo", "Charlie", "Bravo"]


@pytest.fixture
def index():
    agents, _ = parse_agents([agent_record(id=f"a{number}", name=name) for number, name in enumerate(NAMES)])
    return FleetIndex(agents)


@pytest.mark.parametrize("ordering", [[], ["name"], ["-name"]])
@pytest.mark.parametrize("mask", [0b11111, 0b10110, 0])
def test_a_page_of_rows_is_that_slice_of_every_row(index, ordering, mask):
    every = AgentRows(index, mask)
    every.order_by(ordering)
    paged = AgentRows(index, mask)
    paged.order_by(ordering)

    assert len(paged) == len(every.data) == bin(mask).count("1")
    for page in (slice(0, 2), slice(2, 4), slice(4, 6)):
        assert [agent.name for agent in paged[page]] == [agent.name for agent in every.data[page]]
    if every.data:
        assert paged[0] == every.data[0]
        assert paged[-1] == every.data[-1]


def test_a_page_of_rows_makes_no_list_of_every_row(index):
    rows = AgentRows(index, index.everyone)
    rows.order_by(["name"])

    assert [agent.name for agent in rows[1:3]] == ["Bravo", "Charlie"]
    assert rows._rows is None
    assert [agent.name for agent in rows.data] == sorted(NAMES)
