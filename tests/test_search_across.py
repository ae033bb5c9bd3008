"""Search over an index: across organizations it is each organization's own, and a search asked
for again (another page, sort or filter of it) is not made again."""

from dashboard.agents import index as index_module
from dashboard.agents.index import CombinedIndex, FleetIndex, positions
from dashboard.fields import active_registry
from tests.conftest import agent_record


def organization(slug: str, *names: str) -> FleetIndex:
    records = [
        agent_record(id=f"{slug}-{number}", name=name, phone_number=f"+1415555{number:04d}")
        for number, name in enumerate(names)
    ]
    agents, problems = active_registry().parse(records, org=slug)
    assert not problems
    return FleetIndex(agents)


def found(index: FleetIndex, needle: str, digits: str = "") -> list[str]:
    return [index.agents[position].id for position in positions(index.matching_text(needle, digits))]


def counting_searches(monkeypatch) -> list[tuple[str, str]]:
    """(needle, the organization of the index) of every search made rather than taken from those kept."""
    made = []
    search = FleetIndex._search

    def counted(self, needle, digits, hidden):
        made.append((needle, self.agents[0].org if self.agents else ""))
        return search(self, needle, digits, hidden)

    monkeypatch.setattr(FleetIndex, "_search", counted)
    return made


def test_a_search_across_organizations_finds_what_each_one_finds():
    north = organization("north", "Billing EN", "Renewals", "Billing ES")
    south = organization("south", "Claims", "Billing FR")
    across = CombinedIndex([north, south])

    assert found(across, "billing") == ["north-0", "north-2", "south-1"]
    assert found(across, "claims") == ["south-0"]
    assert found(across, "nothing like it") == []
    assert found(across, "(415) 555-0001", "4155550001") == ["north-1", "south-1"]


def test_a_search_asked_for_again_is_not_made_again(monkeypatch):
    made = counting_searches(monkeypatch)
    north = organization("north", "Billing EN", "Renewals")

    assert found(north, "billing") == ["north-0"]
    assert found(north, "billing") == ["north-0"]
    assert found(north, "renewals") == ["north-1"]
    assert made == [("billing", "north"), ("renewals", "north")]


def test_a_search_across_organizations_uses_the_searches_each_one_kept(monkeypatch):
    made = counting_searches(monkeypatch)
    north = organization("north", "Billing EN", "Renewals")
    south = organization("south", "Claims", "Billing FR")
    found(north, "billing")  # made on north's own pages first

    assert found(CombinedIndex([north, south]), "billing") == ["north-0", "south-1"]
    assert found(CombinedIndex([north, south]), "billing") == ["north-0", "south-1"]
    assert found(south, "billing") == ["south-1"]
    assert sorted(made) == [("billing", "north"), ("billing", "south")]


def test_only_the_latest_searches_are_kept(monkeypatch):
    monkeypatch.setattr(index_module, "SEARCHES_KEPT", 2)
    made = counting_searches(monkeypatch)
    north = organization("north", "Billing EN", "Renewals", "Claims")

    for needle in ("billing", "renewals", "billing", "claims", "billing", "renewals"):
        found(north, needle)
    # "billing", used again, stays; "renewals" was the oldest when "claims" came, so it is made again.
    assert [needle for needle, _ in made] == ["billing", "renewals", "claims", "renewals"]
