"""Redaction by construction: a field named in SENSITIVE_FIELDS tells a viewer, or a share link's
visitor, nothing on any page they reach.

For every field that may be made sensitive (and for one OpenCX might add later), the same fleet is
read twice, differing only in one agent's value of that field, and every page those readers can
open (lists, search, filters, facet menus, sort, the agent's page and history, compare, overview,
findings, changes, problems, exports, share links and the API) must come out the same both times: whatever
the value is, nothing on the page depends on it.
"""

import difflib
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client

from dashboard.access.sharing import create_share, share_url
from dashboard.api.tokens import issue_token
from dashboard.fields import OPENCX_FIELDS, Field
from dashboard.fields.registry import Facet, Presence, Range, YesNo
from dashboard.history.models import AgentChange, AgentState, FleetRevision
from dashboard.snapshots import service
from tests.conftest import agent_record, user_in
from tests.test_field_registry import samples

SENSITIVE = [field for field in OPENCX_FIELDS.fields if field.may_be_sensitive]
UNDECLARED = "voicemail_greeting"  # a field OpenCX might add later
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
EVERY_COLUMN = ",".join(OPENCX_FIELDS.columns)
_VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'"version": ?"[0-9a-f]+"'),
    # Rows the two reads each made: their ids count on from the first.
    re.compile(r"change-\d+"),
    re.compile(r'"id": ?\d+'),
]


def normalized(body: bytes) -> str:
    text = body.decode(errors="replace")  # an XLSX export is a zip file
    for pattern in _VOLATILE:
        text = pattern.sub("", text)
    return text


def values(field: Field | None) -> tuple[object, object]:
    if field is None:
        return "PIN 1234", "PIN 9876"
    sample, other = samples(field)
    return sample, other


def key_of(field: Field | None) -> str:
    return UNDECLARED if field is None else field.upstream_key


def name_of(field: Field | None) -> str:
    return UNDECLARED if field is None else field.name


def probes(field: Field | None, value: object) -> list[str]:
    """Query strings that would tell the value if redaction failed: search for it, filter by it, sort by it."""
    found = [f"columns={EVERY_COLUMN}&sort=name", f"columns={EVERY_COLUMN}&sort=-{name_of(field)}"]
    if field is None:
        return [*found, "q=PIN%201234"]
    texts = [
        text
        for text in field.kind.texts(
            OPENCX_FIELDS.parse([agent_record(**{key_of(field): value})])[0][0].__getattribute__(field.name)
        )
        if text
    ]
    found += [f"q={text[:30]}" for text in texts[:1]]
    for declared in field.filters:
        if isinstance(declared, Facet):
            found += [f"{declared.parameter}=~none", f"{declared.parameter}={str(value)[:30]}"]
        elif isinstance(declared, YesNo | Presence):
            found += [f"{declared.parameter}=set", f"{declared.parameter}=yes", f"{declared.parameter}=unset"]
        elif isinstance(declared, Range):
            found += [f"{declared.low}=0&{declared.high}=1000", f"{declared.low}=2024-01-01"]
    return found


def read_twice(upstream, clock, field: Field | None, value: object) -> None:
    """A fresh start: the fleet as it was, then as it is now, the target's field changed to `value`."""
    cache.clear()
    service.forget_local_state()
    for model in (AgentChange, FleetRevision, AgentState):
        model.objects.all().delete()
    key = key_of(field)
    first, second = values(field)
    # From one value to the other, so that both reads record a change of the field.
    before = agent_record(id="target", name="Target", **{key: second if value == first else first})
    now = agent_record(id="target", name="Target", **{key: value})
    other = agent_record(id="other", name="Other")
    clock.move_to(START, tick=False)  # both runs see the very same moments
    upstream.set_agents([before, other])
    service.get_snapshot()
    clock.move_to(START.replace(hour=10), tick=False)
    upstream.set_agents([now, other])
    service.get_snapshot()


def first_difference(before: dict, after: dict, differing: list[str]) -> str:
    """The lines that differ on the first page that does, to say where the value shows."""
    name = differing[0]
    diff = difflib.unified_diff(before[name][1].splitlines(), after[name][1].splitlines(), lineterm="", n=0)
    return "\n".join(list(diff)[:12])


def read(response) -> tuple[int, str]:
    """Status and text of a response, read at once: an export holds its reader's one export until it is read."""
    return response.status_code, normalized(response.getvalue())


def pages(viewer, visitor, api, field: Field | None, value: object, shares: dict[str, str], token: str) -> dict:
    seen = {}
    for query in probes(field, values(field)[0]):
        seen[f"list ?{query}"] = read(viewer.get(f"/agents/?{query}"))
        seen[f"shared list ?{query}"] = read(visitor.get(f"{shares['list']}?{query.replace('columns', 'x')}"))
    for _, declared in OPENCX_FIELDS.filters:
        if isinstance(declared, Facet):
            seen[f"facet {declared.parameter}"] = read(viewer.get(f"/agents/facets/{declared.parameter}/"))
    seen["detail"] = read(viewer.get("/agents/target/"))
    seen["shared detail"] = read(visitor.get(shares["agent"]))
    seen["shared list"] = read(visitor.get(shares["list"]))
    seen["shared list's agent"] = read(visitor.get(f"{shares['list']}agents/target/"))
    seen["compare"] = read(viewer.get("/agents/compare/?id=target&id=other"))
    seen["overview"] = read(viewer.get("/"))
    seen["findings"] = read(viewer.get("/findings/"))
    seen["changes"] = read(viewer.get("/changes/?period=all"))
    seen[f"changes field={key_of(field)}"] = read(viewer.get(f"/changes/?period=all&field={key_of(field)}"))
    seen["problems"] = read(viewer.get("/problems/"))
    seen["raw json"] = read(viewer.get("/agents/target/json/"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for export in ("csv", "json", "xlsx"):
        exported = viewer.get(f"/agents/?columns={EVERY_COLUMN}&_export={export}")
        assert exported["Content-Disposition"].startswith("attachment"), export
        seen[f"export {export}"] = read(exported)
    seen["api agents"] = read(api.get(f"/api/v1/agents/?{probes(field, values(field)[0])[-1]}", **auth))
    seen["api agent"] = read(api.get("/api/v1/agents/target/", **auth))
    seen["api findings"] = read(api.get("/api/v1/findings/", **auth))
    seen["api changes"] = read(api.get("/api/v1/changes/?period=all", **auth))
    return seen


@pytest.mark.parametrize("field", [*SENSITIVE, None], ids=[*(f.name for f in SENSITIVE), UNDECLARED])
def test_a_sensitive_field_tells_a_viewer_and_a_share_link_nothing(
    field, upstream, history, clock, settings, client, django_user_model
):
    settings.SENSITIVE_FIELDS = [name_of(field)]
    settings.API_REQUESTS_PER_MINUTE = 100_000
    operator = user_in(django_user_model, "ops", "Operator")
    viewer_user = user_in(django_user_model, "viewer", "Viewer")
    # A Viewer allowed to export, as a custom group may make one: the export hides what the pages do.
    viewer_user.user_permissions.add(Permission.objects.get(codename="export_agents"))
    _, token = issue_token(viewer_user, "redaction")
    shares = {
        "list": share_url(create_share(user=operator, query=f"columns={EVERY_COLUMN}", title="list")),
        "agent": share_url(create_share(user=operator, agent_id="target", title="agent")),
    }
    viewer, visitor, api = Client(), Client(), Client()
    viewer.force_login(viewer_user)

    first, second = values(field)
    read_twice(upstream, clock, field, first)
    with_first = pages(viewer, visitor, api, field, first, shares, token)
    read_twice(upstream, clock, field, second)
    with_second = pages(viewer, visitor, api, field, second, shares, token)

    differing = [name for name in with_first if with_first[name] != with_second[name]]
    assert differing == [], (
        f"{name_of(field)} shows on: {differing}\n{first_difference(with_first, with_second, differing)}"
    )
    assert all(status < 500 for status, _ in with_first.values())
    assert with_first["shared list's agent"][0] == with_first["shared detail"][0] == 200


@pytest.mark.parametrize("field", [*SENSITIVE, None], ids=[*(f.name for f in SENSITIVE), UNDECLARED])
def test_the_same_reads_show_the_field_when_it_is_not_sensitive(
    field, upstream, history, clock, settings, client, django_user_model
):
    """The control: without SENSITIVE_FIELDS the agent's page does tell the two values apart, so
    the comparison above would notice a value that leaks."""
    settings.SENSITIVE_FIELDS = []
    client.force_login(user_in(django_user_model, "viewer", "Viewer"))
    first, second = values(field)
    read_twice(upstream, clock, field, first)
    with_first = normalized(client.get("/agents/target/").content)
    read_twice(upstream, clock, field, second)
    with_second = normalized(client.get("/agents/target/").content)
    assert with_first != with_second
