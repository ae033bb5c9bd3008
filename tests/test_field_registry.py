"""The field registry: every field appears everywhere its declaration promises, and a field added
to the registry (or sent by OpenCX without being declared) needs no other change to show."""

import csv
import io
import json
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from dashboard.fields import OPENCX_FIELDS, Field, FieldRegistry, ValueContext, kinds, override_registry
from dashboard.fields.registry import BEHAVIOUR, OTHER, Facet, Presence, Range, YesNo
from dashboard.snapshots import service
from tests.conftest import agent_record
from tests.test_agent_list import names

# A value per kind for the agent under test, and a different one (or None) for the other agent.
# A kind without an entry here fails the meta-test: a new kind needs its sample.
SAMPLES: dict[type, tuple[Any, Any]] = {
    kinds.Text: ("marker-{name}", "plain-{name}"),
    kinds.Phone: ("+19995550123", "+14155550100"),
    kinds.Enum: ("zz-marker-{name}", "aa-plain-{name}"),
    kinds.Voice: ("vx_marker", "vx_plain"),
    kinds.Flag: (True, False),
    kinds.Number: (7.5, 1.25),
    kinds.Integer: (42, 3),
    kinds.Moment: ("2024-05-06T07:08:09Z", "2020-01-01T00:00:00Z"),
    kinds.Languages: (["xq"], ["en"]),
    kinds.TextList: (["marker-{name}"], ["plain-{name}"]),
    kinds.ActionIds: (["act_marker"], []),
    kinds.Flow: ({"id": "n1", "type": "start", "content": "marker flow", "children": []}, {"id": "n2"}),
    kinds.FailoverDestination: ("9b2f7c1e-5d4a-4c3b-9a8f-1e2d3c4b5a69", "3c90c3cc-0d44-4b50-8888-8dd25736052a"),
    kinds.Organization: ("staging", "production"),
}


def samples(field: Field) -> tuple[Any, Any]:
    """The target's value and the other agent's; None for the other where a filter tells set from unset."""
    sample, other = SAMPLES[type(field.kind)]
    sample, other = (json.loads(json.dumps(value).replace("{name}", field.name)) for value in (sample, other))
    if any(isinstance(declared, Presence) for declared in field.filters):
        other = None
    return sample, other


def fleet_for(field: Field) -> tuple[dict[str, Any], dict[str, Any]]:
    sample, other = samples(field)
    target, rest = agent_record(id="target", name="Target"), agent_record(id="other", name="Other")
    target[field.upstream_key], rest[field.upstream_key] = sample, other
    return target, rest


def parsed(field: Field, record: dict[str, Any]) -> Any:
    agents, _ = OPENCX_FIELDS.parse([record])
    return agents[0]


def card(html: str, group_key: str) -> str:
    return html.split(f'id="{group_key}"')[1].split("</section>")[0]


def cell_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html)).split()


def check_detail_page(client: Any, field: Field, agent_id: str) -> None:
    html = client.get(reverse("agent-detail", args=[agent_id])).content.decode()
    body = card(html, field.group.key)
    assert f">{field.label}</dt>" in body, f"{field.name}: no row in the {field.group.title} card"
    assert f'id="field-{field.name}"' in body


def check_columns(client: Any, field: Field, target: Any, other: Any) -> None:
    for column in OPENCX_FIELDS.columns.values():
        if column.field is not field:
            continue
        html = client.get(f"/agents/?columns={column.key}&sort=name").content.decode()
        headers = re.findall(r'class="sort-link">([^<]*)<', html)
        assert column.label in headers, f"{column.key}: no column header"
        expected = str(column.cell(target, ValueContext()))
        assert expected in html, f"{column.key}: the target's cell is not in the list"
        if column.sortable:
            ascending = names(client.get(f"/agents/?sort={column.key}"))
            descending = names(client.get(f"/agents/?sort=-{column.key}"))
            if column.sort_key(other) is None:  # a missing value sorts last either way
                assert ascending == descending == ["Target", "Other"], column.key
            else:
                assert sorted(ascending) == ["Other", "Target"] and ascending == descending[::-1], column.key


def check_search(client: Any, field: Field, target: Any) -> None:
    texts = list(field.kind.texts(field.read(target)))
    assert texts, f"{field.name}: searched, but its value gives no text to find"
    response = client.get("/agents/", {"q": texts[0]})
    assert "Target" in names(response) and "Other" not in names(response), field.name


def check_filters(client: Any, field: Field, target: Any, other: Any) -> None:
    value = field.read(target)
    for declared in field.filters:
        if isinstance(declared, Facet):
            facet_value = next(iter(field.kind.facet_values(value)))
            found = names(client.get("/agents/", {declared.parameter: facet_value}))
        elif isinstance(declared, YesNo):
            found = names(client.get("/agents/", {declared.parameter: "yes" if value else "no"}))
        elif isinstance(declared, Presence):
            found = names(client.get("/agents/", {declared.parameter: "set"}))
            assert names(client.get("/agents/", {declared.parameter: "unset"})) == ["Other"], declared.parameter
        elif isinstance(declared, Range):
            bound = value.date().isoformat() if hasattr(value, "date") else value
            found = names(client.get("/agents/", {declared.low: bound, declared.high: bound}))
        else:  # pragma: no cover - a new kind of filter needs its check here
            raise AssertionError(f"no check for {declared!r}")
        assert found == ["Target"], f"{field.name}: {declared} selects {found}"


def check_exports(client: Any, field: Field) -> None:
    for column in OPENCX_FIELDS.columns.values():
        if column.field is not field:
            continue
        rows = list(
            csv.reader(
                io.StringIO(client.get(f"/agents/?columns={column.key}&_export=csv").getvalue().decode("utf-8-sig"))
            )
        )
        assert column.label in rows[0], f"{column.key}: not in the CSV export"
        exported = json.loads(client.get(f"/agents/?columns={column.key}&_export=json&sort=name").getvalue())
        assert column.key in exported[0], f"{column.key}: not in the JSON export"


def check_compare(client: Any, field: Field, ids: tuple[str, str]) -> None:
    html = client.get("/agents/compare/", {"id": list(ids)}).content.decode()
    row = re.search(rf'<tr data-field="{field.name}"( class="differs")?>', html)
    assert row is not None, f"{field.name}: no row on the compare page"
    if field.identity:  # names the agent: differs between any two, so never marked
        assert not row.group(1), f"{field.name}: identifies the agent but is marked as differing"
    else:
        assert row.group(1), f"{field.name}: the values differ but the row is not marked"


# OpenCX's fields; the organization an agent was read from is not in its record (tests/test_organizations.py).
FIELDS = [field for field in OPENCX_FIELDS.fields if field.from_upstream]


@pytest.mark.parametrize("field", FIELDS, ids=[field.name for field in FIELDS])
def test_every_field_appears_everywhere_its_declaration_promises(signed_in, upstream, field):
    target_record, other_record = fleet_for(field)
    if field.name == "id":
        target_record["id"], other_record["id"] = "marker-id", "plain-id"
    if field.name == "name":
        target_record["name"], other_record["name"] = "Target", "Other"
    upstream.set_agents([target_record, other_record])
    target, other = parsed(field, target_record), parsed(field, other_record)

    check_detail_page(signed_in, field, target.id)
    if field.column:
        check_columns(signed_in, field, target, other)
        check_exports(signed_in, field)
    if field.search:
        check_search(signed_in, field, target)
    check_filters(signed_in, field, target, other)
    check_compare(signed_in, field, (target.id, other.id))


@pytest.mark.parametrize(
    "field", [field for field in FIELDS if field.name != "id"], ids=[f.name for f in FIELDS if f.name != "id"]
)
def test_a_change_to_any_field_shows_in_the_history_under_its_label(signed_in, upstream, history, clock, field):
    target_record, other_record = fleet_for(field)
    upstream.set_agents([other_record | {"id": "target", "name": "Target"}, other_record])
    service.get_snapshot()
    upstream.set_agents([target_record, other_record])
    clock.shift(600)
    service.get_snapshot()

    html = signed_in.get("/agents/target/").content.decode()

    entry = html.split('id="timeline"')[1]
    assert f'data-field="{field.upstream_key}"' in entry, field.name
    assert f">{field.label}</th>" in entry


# --- a field added to the registry needs no other change ---------------------------------------

VOICEMAIL = Field(
    "voicemail_greeting",
    "Voicemail greeting",
    BEHAVIOUR,
    kinds.Text(),
    filters=(Presence("voicemail", "Voicemail greeting"),),
    search=True,
)


@pytest.fixture
def extended() -> Iterator[FieldRegistry]:
    """OpenCX's fields and one more, as a new entry in the registry would add it."""
    with override_registry(FieldRegistry([*OPENCX_FIELDS.fields, VOICEMAIL])) as registry:
        service.forget_local_state()
        yield registry
    service.forget_local_state()


def test_a_field_added_to_the_registry_shows_on_every_page_with_no_other_change(
    signed_in, upstream, history, clock, extended
):
    greeting = "Leave a message after the tone"
    upstream.set_agents([agent_record(id="a1", name="Target"), agent_record(id="a2", name="Other")])
    service.get_snapshot()
    upstream.set_agents(
        [agent_record(id="a1", name="Target", voicemail_greeting=greeting), agent_record(id="a2", name="Other")]
    )
    clock.shift(600)
    service.get_snapshot()

    detail = signed_in.get("/agents/a1/").content.decode()
    listed = signed_in.get("/agents/?columns=voicemail_greeting&sort=name").content.decode()
    found = names(signed_in.get("/agents/", {"q": "after the tone"}))
    with_it = names(signed_in.get("/agents/?voicemail=set"))
    exported = json.loads(signed_in.get("/agents/?columns=voicemail_greeting&_export=json&sort=name").getvalue())
    spreadsheet = signed_in.get("/agents/?columns=voicemail_greeting&_export=csv&sort=name").getvalue().decode()

    assert greeting in card(detail, BEHAVIOUR.key) and "Voicemail greeting" in card(detail, BEHAVIOUR.key)
    assert f'id="{OTHER.key}"' not in detail  # declared now, so not among the undeclared fields
    assert ">Voicemail greeting<" in listed and greeting in listed
    assert found == ["Target"] and with_it == ["Target"]
    assert exported[1]["voicemail_greeting"] == greeting
    assert "Voicemail greeting" in spreadsheet.splitlines()[0] and greeting in spreadsheet
    timeline = detail.split('id="timeline"')[1]
    assert 'data-field="voicemail_greeting"' in timeline and ">Voicemail greeting</th>" in timeline


def test_a_field_the_registry_does_not_know_is_kept_shown_exported_and_recorded(signed_in, upstream, history, clock):
    upstream.set_agents([agent_record(id="a1", name="Target", voicemail_greeting="Hello")])
    service.get_snapshot()
    upstream.set_agents([agent_record(id="a1", name="Target", voicemail_greeting="Hi <there>")])
    clock.shift(600)
    service.get_snapshot()

    detail = signed_in.get("/agents/a1/").content.decode()
    exported = json.loads(signed_in.get("/agents/?_export=json").getvalue())

    other = card(detail, OTHER.key)
    assert "Other fields from OpenCX" in detail
    assert ">voicemail_greeting</dt>" in other and "Hi &lt;there&gt;" in other
    assert exported[0]["voicemail_greeting"] == "Hi <there>"
    timeline = detail.split('id="timeline"')[1]
    assert 'data-field="voicemail_greeting"' in timeline and "Hello" in timeline


def test_a_field_the_registry_does_not_know_can_be_made_sensitive(viewer_client, upstream, settings):
    settings.SENSITIVE_FIELDS = ["voicemail_greeting"]
    upstream.set_agents([agent_record(id="a1", name="Target", voicemail_greeting="PIN is 1234")])

    detail = viewer_client.get("/agents/a1/").content.decode()
    exported = viewer_client.get("/agents/?_export=json")

    assert "PIN is 1234" not in detail and "hidden" in card(detail, OTHER.key)
    assert exported.status_code == 403  # viewers do not export at all


def test_every_kind_in_use_has_a_sample_for_these_tests():
    assert {type(field.kind) for field in OPENCX_FIELDS.fields} <= set(SAMPLES)
