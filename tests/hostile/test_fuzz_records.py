"""Whatever OpenCX puts in a record's fields, every page, export and API answer stays 2xx and escaped.

Hypothesis makes fleets of a few agents in which every field of the registry (so every kind of
value) holds a hostile value: any JSON value, text with lone surrogates, NUL, control
characters and markup, integers far beyond 64 bits, wrong types, nested junk, and fields the
registry does not know. The records are written with `json.dumps`, which sends a lone surrogate
as the `\\udXXX` escape OpenCX could send. One fake OpenCX serves every example; each example
swaps its fleet and reads it again.
"""

import io
import json
import string
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dashboard.api.tokens import issue_token
from dashboard.fields import OPENCX_FIELDS
from dashboard.snapshots import service
from tests.conftest import agent_record, expire_and_refresh

MARKUP = ("<script>fuzz()</script>", '"><img src=x onerror=fuzz()>', "</textarea><b>fuzz</b>")
UNESCAPED = ("<script>fuzz", "<img src=x", "<b>fuzz</b>")
UPSTREAM_KEYS = [field.upstream_key for field in OPENCX_FIELDS.fields if field.from_upstream and field.name != "id"]

awkward_characters = st.sampled_from(
    ["\ud800", "\udfff", "\udc80", "\x00", "\x1b", "\n", "\r", "\u2028", "\ufeff", "\ufffe", "é", "😀", "&", "<", '"']
)
hostile_text = st.one_of(
    st.sampled_from(MARKUP),
    st.text(alphabet=st.one_of(awkward_characters, st.sampled_from(string.printable)), max_size=12),
    st.sampled_from(["", " ", "=cmd|' /C calc'!A0", "00000000-0000-0000-0000-000000000000", "2024-02-30T25:61:00Z"]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**64, -(2**63) - 1, 10**30, int("9" * 400)]),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=8,
)
deep_junk = st.integers(min_value=60, max_value=70).map(lambda depth: json.loads("[" * depth + "]" * depth))


@st.composite
def fleets(draw: Any) -> list[dict[str, Any]]:
    """A plain agent (so the read never looks like a lost fleet), one with every field hostile, and a few more."""
    hostile = {key: draw(json_values | deep_junk) for key in UPSTREAM_KEYS}
    hostile.update(draw(st.dictionaries(hostile_text, json_values, max_size=2)))  # fields OpenCX added later
    others = [
        agent_record(id=f"fuzz-{n}", **draw(st.dictionaries(st.sampled_from(UPSTREAM_KEYS), json_values, max_size=4)))
        for n in range(draw(st.integers(min_value=0, max_value=2)))
    ]
    hostile_id = draw(st.one_of(st.just("hostile"), hostile_text, json_values))
    return [agent_record(id="plain", name="Plain"), {"id": hostile_id, **hostile}, *others]


FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture
def reading(upstream, signed_in, clock):
    """Serves a fleet and reads it again, as the next page view after the cache period would."""

    def read(fleet: list[dict[str, Any]]) -> list[str]:
        upstream.set_agents(json.dumps(fleet).encode())  # a lone surrogate goes out as its \\u escape
        expire_and_refresh(clock)
        return [agent.id for agent in service.get_snapshot().agents]

    return read


def assert_escaped(response: Any, url: str) -> None:
    assert 200 <= response.status_code < 300, (url, response.status_code)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response["Content-Type"]:
        load_workbook(io.BytesIO(content), read_only=True).close()  # it opens
        return
    text = content.decode("utf-8")  # a surrogate that slipped through would not encode at all
    if response["Content-Type"].startswith("text/html"):
        assert not any(markup in text for markup in UNESCAPED), url


@FUZZ
@given(fleet=fleets())
def test_it_answers_every_page_with_hostile_records_escaped(reading, signed_in, fleet):
    ids = reading(fleet)
    columns = ",".join(OPENCX_FIELDS.columns)
    compare = "&".join(f"id={agent_id}" for agent_id in ids[:3])
    urls = ["/", f"/agents/?columns={columns}", "/problems/", f"/agents/compare/?{compare}", "/agents/?q=fuzz"]
    urls += [reverse("agent-detail", args=[agent_id]) for agent_id in ids]
    for url in urls:
        assert_escaped(signed_in.get(url), url)
    assert "plain" in ids


@FUZZ
@given(fleet=fleets())
def test_it_answers_every_export_and_api_call_with_hostile_records(reading, signed_in, user, fleet):
    ids = reading(fleet)
    columns = ",".join(OPENCX_FIELDS.columns)
    for export_format in ("csv", "json", "xlsx"):
        url = f"/agents/?columns={columns}&_export={export_format}"
        assert_escaped(signed_in.get(url), url)
    token = issue_token(user, "fuzz")[1]
    api = [reverse("api-agents"), *(reverse("api-agent", args=[agent_id]) for agent_id in ids)]
    api += [reverse("agent-json", args=[agent_id]) for agent_id in ids]
    for url in api:
        assert_escaped(signed_in.get(url, HTTP_AUTHORIZATION=f"Bearer {token}"), url)
    records = json.loads(b"".join(signed_in.get(f"/agents/?columns={columns}&_export=json").streaming_content))
    assert len(records) == len(ids)
