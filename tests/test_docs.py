"""The documentation says what the code does: the README's parameter table and column keys are the
registry's and the list's own, and the OpenCX schema the registry follows is in the repository."""

import re
from pathlib import Path

from django.http import QueryDict

from dashboard.agents.filters import AgentFilterForm
from dashboard.agents.index import CombinedIndex, FleetIndex
from dashboard.agents.listing import PICK, ListParameters
from dashboard.fields import OPENCX_FIELDS
from dashboard.fields.registry import Facet, Range

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def names_in(text: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", text))


def parameter_table() -> str:
    """The first cells of the agent list's "| parameter | what it selects |" table."""
    table = README.split("| parameter | what it selects |", 1)[1].split("\n\n", 1)[0]
    return "\n".join(row.split("|")[1] for row in table.strip().splitlines()[1:])


def list_parameters() -> set[str]:
    """Every parameter /agents/ reads, across organizations (where the organization filter is too)."""
    index = CombinedIndex([FleetIndex(())])
    form = AgentFilterForm(QueryDict(), index=index, every_org=True)
    return {PICK, *ListParameters.base_fields, *form.fields}


def test_the_readme_table_names_every_parameter_of_the_agent_list_and_no_other():
    documented, read = names_in(parameter_table()), list_parameters()

    assert read - documented == set(), "parameters the README's table does not name"
    assert documented - read == set(), "parameters the README's table names that the list does not read"


def test_the_readme_table_names_every_filter_the_registry_declares():
    declared = set()
    for field in OPENCX_FIELDS.fields:
        for each in field.filters:
            declared |= {each.low, each.high} if isinstance(each, Range) else {each.parameter}
            if isinstance(each, Facet) and field.kind.many:
                declared.add(each.match_parameter)

    assert declared - names_in(parameter_table()) == set()


def test_the_readme_names_every_column_key_and_no_other():
    paragraph = README.split("Column keys:", 1)[1].split("Press `/`", 1)[0]

    assert names_in(paragraph) == set(OPENCX_FIELDS.columns)


def test_the_opencx_schema_the_registry_follows_is_in_the_repository():
    source = (ROOT / "dashboard" / "fields" / "registry.py").read_text()
    named = re.findall(r"published schema \(see ([\w./-]+)\)", source)

    assert named, "the registry says where OpenCX's schema is"
    assert all((ROOT / path / "list-phone-agents.txt").is_file() for path in named), named
