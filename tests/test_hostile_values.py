"""Hostile text from OpenCX, in every field kind, is drawn escaped on every page and export.

Two organizations serve agents whose every field holds markup (a value of each kind of the
registry, an undeclared field, a hostile id, hostile organization names); the walk covers every
list (agents, problems, a shared list, drift, findings, changes), the detail, compare and overview
pages, facet menus and the CSV, JSON and XLSX exports. The markers may appear only escaped.
"""

import ast
import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from dashboard.access.sharing import create_share, share_url
from dashboard.agents.findings import RULES
from dashboard.agents.ids import encode_agent_id
from dashboard.fields import OPENCX_FIELDS, kinds
from dashboard.fields.registry import Facet
from dashboard.orgs.registry import org_named
from tests.conftest import agent_record, expire_and_refresh

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(2)>'
URL = "javascript:alert(3)"
QUOTES = "'single' & \"double\" &amp;"


def hostile(name: str) -> str:
    """One hostile text naming the field it was put in."""
    return f"{SCRIPT}{ATTRIBUTE}{QUOTES} {name}"


def hostile_list(name: str) -> list[str]:
    return [hostile(name), URL]


def hostile_flow(name: str) -> dict[str, Any]:
    node = {"id": hostile(name), "type": hostile(name), "content": hostile(name)}
    return {**node, "children": [{**node, "children": []}]}


# Per kind, what OpenCX might send instead of a good value: markup where text goes, markup where a
# number, a flag, a time or a UUID goes (a parse problem, listed on the problems page). A kind
# without an entry fails `test_it_has_a_hostile_sample_for_every_kind_of_the_registry`.
HOSTILE: dict[type, Any] = {
    kinds.Text: hostile,
    kinds.Phone: hostile,
    kinds.Enum: hostile,
    kinds.Voice: hostile,
    kinds.Flag: hostile,
    kinds.Number: hostile,
    kinds.Integer: hostile,
    kinds.Moment: hostile,
    kinds.Languages: hostile_list,
    kinds.TextList: hostile_list,
    kinds.ActionIds: hostile_list,
    kinds.Flow: hostile_flow,
    kinds.FailoverDestination: hostile,
    kinds.Organization: None,  # not from OpenCX: the organizations' names are hostile instead
}

HOSTILE_ID = f"{ATTRIBUTE}{QUOTES}"
UNDECLARED_KEY = "<b onmouseover=alert(4)>extra</b>"


def hostile_record(agent_id: str, mark: str) -> dict[str, Any]:
    record = agent_record(id=agent_id)
    for field in OPENCX_FIELDS.fields:
        sample = HOSTILE[type(field.kind)]
        if field.name != "id" and field.from_upstream and sample is not None:
            record[field.upstream_key] = sample(f"{field.name} {mark}")
    record[UNDECLARED_KEY] = {"nested": hostile(f"undeclared {mark}"), "list": [URL]}
    return record


def escaped_only(text: str) -> list[str]:
    """Where a marker appears unescaped (markup that would run or an attribute broken out of)."""
    found = [raw for raw in ("<script>alert", "<img src=x", "<b onmouseover", "onerror=alert(2)>") if raw in text]
    found += re.findall(r"(?i)(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", text)
    return found


@pytest.fixture
def hostile_fleet(two_orgs, settings, history, clock, signed_in, user):
    """Both organizations with hostile names, each serving a clean agent that turns hostile (so the
    change history has it) and a hostile agent; b's copy of it differs (so drift shows both sides)."""
    settings.OPENCX_ORGS = [{**org, "name": f"{SCRIPT} {org['name']}{ATTRIBUTE}"} for org in settings.OPENCX_ORGS]
    for slug in ("a", "b"):
        two_orgs.fake(slug).set_agents([agent_record(id="turns"), agent_record(id="calm", name="Calm")])
        assert signed_in.get(f"/o/{slug}/agents/").status_code == 200
    for slug in ("a", "b"):
        two_orgs.fake(slug).set_agents(
            [hostile_record("turns", slug), hostile_record(HOSTILE_ID, slug), agent_record(id="calm", name="Calm")]
        )
    expire_and_refresh(clock)
    return user


def pages(user) -> list[str]:
    """Every page that draws agent data, in organization a and across both."""
    agent = encode_agent_id(HOSTILE_ID)
    every_column = ",".join(OPENCX_FIELDS.columns)
    facets = [f.parameter for field in OPENCX_FIELDS.fields for f in field.filters if isinstance(f, Facet)]
    org = org_named("a")
    shared = share_url(create_share(user=user, org=org, query=f"columns={every_column}", title=hostile("title")))
    shared_agent = share_url(create_share(user=user, org=org, agent_id=HOSTILE_ID, title=hostile("title")))
    a = [
        f"/o/a/agents/?columns={every_column}",
        f"/o/a/agents/?columns={every_column}&q=alert",
        *(f"/o/a/agents/?finding={rule}&columns={every_column}" for rule in RULES),
        f"/o/a/agents/{agent}/",
        f"/o/a/agents/compare/?id={agent}&id=turns",
        "/o/a/problems/",
        "/o/a/findings/",
        "/o/a/changes/",
        "/o/a/",
    ]
    across = [
        f"/agents/?columns={every_column}",
        "/",
        "/findings/",
        "/drift/a/b/",
        *(f"/agents/facets/{facet}/" for facet in facets),
    ]
    return [*a, *across, shared, f"{shared}agents/{agent}/", shared_agent]


def test_it_has_a_hostile_sample_for_every_kind_of_the_registry():
    missing = {type(field.kind).__name__ for field in OPENCX_FIELDS.fields} - {kind.__name__ for kind in HOSTILE}
    assert not missing, f"add a hostile sample for {missing}"


def test_it_draws_hostile_values_of_every_kind_escaped_on_every_page(hostile_fleet, signed_in, client):
    for url in pages(hostile_fleet):
        response = signed_in.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert escaped_only(html) == [], url
        if "facets" not in url:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"{url}: no hostile text shown"


def test_it_shows_every_hostile_field_on_the_detail_page_escaped(hostile_fleet, signed_in):
    html = signed_in.get(f"/o/a/agents/{encode_agent_id(HOSTILE_ID)}/").content.decode()

    shown = {field.name for field in OPENCX_FIELDS.fields if f"{field.name} a" in html}
    upstream_text = {
        field.name
        for field in OPENCX_FIELDS.fields
        if field.name != "id" and field.from_upstream and HOSTILE[type(field.kind)] is not hostile_flow
    }
    assert upstream_text - shown == set(), "every hostile value is on the page (or among its problems)"
    assert "&lt;b onmouseover=alert(4)&gt;extra&lt;/b&gt;" in html and escaped_only(html) == []


EXPORTS = ["/o/a/agents/", "/o/a/problems/", "/drift/a/b/", "/agents/"]


@pytest.mark.parametrize("url", EXPORTS)
def test_it_exports_hostile_values_as_sent_never_as_a_page(hostile_fleet, signed_in, url):
    every_column = ",".join(OPENCX_FIELDS.columns) if "agents" in url else ""
    query = f"columns={every_column}&" if every_column else ""
    for export_format in ("csv", "json", "xlsx"):
        response = signed_in.get(f"{url}?{query}_export={export_format}")
        body = response.getvalue() if response.streaming else response.content
        assert response.status_code == 200, (url, export_format)
        assert response["Content-Disposition"].startswith("attachment"), (url, export_format)
        assert "html" not in response["Content-Type"] and response["X-Content-Type-Options"] == "nosniff"
        if export_format == "csv":
            text = "\n".join(",".join(row) for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        elif export_format == "json":
            text = json.dumps(json.loads(body), ensure_ascii=False)
        else:
            sheets = zipfile.ZipFile(io.BytesIO(body))
            xml = "".join(sheets.read(name).decode() for name in sheets.namelist() if name.endswith(".xml"))
            assert escaped_only(xml) == [] and "&lt;script&gt;alert(1)" in xml, url  # the sheet's XML escapes it
            rows = load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True)
            text = "\n".join(",".join("" if cell is None else str(cell) for cell in row) for row in rows)
        assert SCRIPT in text and ATTRIBUTE in text, (url, export_format)  # data as sent, nothing lost


# --- HTML is built by construction --------------------------------------------------------------

PRODUCT_CODE = Path(__file__).resolve().parent.parent / "dashboard"


def marked_by_hand(path: Path) -> list[str]:
    """Where `path` marks anything but a constant safe, or escapes HTML itself."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in MARKERS:
            constant = all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args)
            if not constant or node.keywords:
                found.append(f"{path.name}:{node.lineno} marks a value safe")
        elif isinstance(node, ast.ImportFrom) and node.module == "html":
            found.append(f"{path.name}:{node.lineno} escapes with the html module instead of format_html")
        elif isinstance(node, ast.alias) and node.name == "SafeData":
            found.append(f"{path.name}:{node.lineno} tells safe from unsafe text itself")
    return found


MARKERS = {"SafeString", "mark_safe"}


def test_it_builds_html_only_through_format_html_never_by_marking_values_safe():
    found = [place for path in sorted(PRODUCT_CODE.rglob("*.py")) for place in marked_by_hand(path)]

    assert found == [], "build HTML with format_html, format_html_join or conditional_escape"
