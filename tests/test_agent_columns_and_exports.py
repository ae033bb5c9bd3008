"""Choosing columns (per user, or in the URL) and exporting the list as shown."""

import csv
import io
import json
import re
from html import unescape

import openpyxl
import pytest

from dashboard.agents.models import ColumnPreference
from dashboard.fields import OPENCX_FIELDS
from tests.conftest import TEST_TOKEN, agent_record

# One organization: its own column is offered only across organizations (tests/test_organizations.py).
COLUMNS = {key: column for key, column in OPENCX_FIELDS.columns.items() if column.field.from_upstream}
DEFAULT_COLUMNS = OPENCX_FIELDS.default_columns


def headers(response) -> list[str]:
    """The column headers, after the column of compare checkboxes."""
    head = response.content.decode().split("<thead")[1].split("</thead>")[0]
    cells = [
        unescape(re.sub(r"<[^>]+>|[▲▼]", "", cell)).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)
    ]
    assert cells[0] == "Compare"
    return cells[1:]


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            agent_record(
                id="a1",
                name="Alpha",
                model="oppie-vox-2",
                phone_number="+14155550101",
                speed=0.9,
                first_message='=HYPERLINK("http://evil.example")',
                actionIds=None,
                instructions=["@SUM(1+1)", "-2+3"],
                updated_at="2024-01-01T00:00:00Z",
            ),
            agent_record(
                id="a2",
                name="Bravo",
                model="oppie-vox",
                phone_number=None,
                speed=1.2,
                actionIds=[],
                updated_at="2024-03-01T00:00:00Z",
            ),
            agent_record(
                id="a3",
                name="Charlie",
                model="oppie-vox-2",
                phone_number="+13035550103",
                speed=None,
                actionIds=["act_1", "act_2"],
                updated_at="2024-02-01T00:00:00Z",
            ),
        ]
    )
    return upstream


def test_the_default_columns(signed_in, fleet):
    assert headers(signed_in.get("/agents/")) == [COLUMNS[key].label for key in DEFAULT_COLUMNS]


def test_any_field_can_be_a_column_through_the_url(signed_in, fleet):
    response = signed_in.get("/agents/?columns=speed,id,action_ids")
    html = response.content.decode()

    assert headers(response) == ["Name", "Id", "Speed", "Actions"]  # the name always; the registry's order
    assert ">all actions</span>" in html and ">none</span>" in html
    assert '<span class="vid">act_1</span>, <span class="vid">act_2</span>' in html


def test_every_column_renders_and_sorts(signed_in, fleet):
    every = ",".join(COLUMNS)
    for sort in COLUMNS:
        for direction in ("", "-"):
            response = signed_in.get(f"/agents/?columns={every}&sort={direction}{sort}")
            assert response.status_code == 200
            assert len(headers(response)) == len(COLUMNS)
            assert b"notice" not in response.content


def test_unknown_columns_are_left_out_with_a_message(signed_in, fleet):
    response = signed_in.get("/agents/?columns=speed,password,<b>")

    assert headers(response) == ["Name", "Speed"]
    assert "Unknown column &#x27;password&#x27;, &#x27;&lt;b&gt;&#x27;: it was left out." in response.content.decode()


def test_a_chosen_set_of_columns_is_remembered_for_the_user_and_put_in_the_url(signed_in, fleet, user):
    response = signed_in.post(
        "/agents/columns/",
        {
            "columns": ["model", "speed", "nonsense"],
            "next": "/agents/?model=oppie-vox-2&sort=-speed&page=2",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/agents/?model=oppie-vox-2&sort=-speed&columns=name%2Cmodel%2Cspeed"
    assert ColumnPreference.objects.get(user=user).columns == ["name", "model", "speed"]
    assert headers(signed_in.get("/agents/")) == ["Name", "Model", "Speed"]  # remembered without the URL


def test_the_columns_in_a_shared_link_win_over_the_viewers_own_choice(signed_in, fleet, user):
    ColumnPreference.objects.create(user=user, columns=["name", "speed"])

    assert headers(signed_in.get("/agents/?columns=id")) == ["Name", "Id"]


def test_reset_returns_to_the_default_columns(signed_in, fleet, user):
    ColumnPreference.objects.create(user=user, columns=["name", "speed"])

    response = signed_in.post("/agents/columns/", {"reset": "1", "next": "/agents/?columns=speed&q=a"})

    assert response["Location"] == "/agents/?q=a"
    assert not ColumnPreference.objects.filter(user=user).exists()
    assert headers(signed_in.get("/agents/")) == [COLUMNS[key].label for key in DEFAULT_COLUMNS]


def test_choosing_columns_never_redirects_off_site(signed_in, fleet):
    response = signed_in.post("/agents/columns/", {"columns": ["speed"], "next": "https://evil.example/agents/"})

    assert response["Location"].startswith("/agents/?")


def export(client, query: str, export_format: str) -> bytes:
    """The file an export sends (CSV and JSON stream)."""
    response = client.get(f"/agents/?{query}&_export={export_format}")
    assert response.status_code == 200
    return response.getvalue()


def test_a_csv_export_holds_exactly_the_rows_and_columns_shown_across_all_pages(signed_in, fleet):
    response = signed_in.get(
        "/agents/?model=oppie-vox-2&sort=-updated_at&per_page=25&page=1&columns=phone_number,speed&_export=csv"
    )
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))

    assert response["Content-Type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="agents-\d{8}T\d{6}Z\.csv"', response["Content-Disposition"])
    assert rows == [
        ["Name", "Phone number", "Speed"],
        ["Charlie", "+13035550103", ""],
        ["Alpha", "+14155550101", "0.9"],
    ]


def test_exports_include_every_page(signed_in, upstream):
    body = export(signed_in, "per_page=25&page=2", "csv")

    assert len(body.decode().strip().splitlines()) == 1 + 30


def test_cells_a_spreadsheet_would_run_are_neutralised(signed_in, fleet):
    body = export(signed_in, "q=alpha&columns=first_message,instructions", "csv")
    row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1]

    assert row == ["Alpha", '\'=HYPERLINK("http://evil.example")', "'@SUM(1+1); -2+3"]


def test_phone_numbers_come_back_from_exports_exactly_as_they_are(signed_in, upstream):
    upstream.set_agents(
        [
            agent_record(id="a1", name="=cmd|' /c calc'!A0", phone_number="+14155550123", first_message="-1+1"),
            agent_record(id="a2", name="Plain", phone_number="+442071838750", first_message="- a dash"),
        ]
    )
    query = "sort=phone_number&columns=phone_number,first_message"

    rows = list(csv.reader(io.StringIO(export(signed_in, query, "csv").decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(export(signed_in, query, "xlsx"))).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert [row[1] for row in rows[1:]] == ["+14155550123", "+442071838750"]
    assert rows[1][0] == "'=cmd|' /c calc'!A0" and rows[1][2] == "'-1+1"  # real formulas are still neutralised
    assert rows[2][2] == "'- a dash"
    assert [row[1] for row in cells[1:]] == ["+14155550123", "+442071838750"]
    assert cells[1][0] == "=cmd|' /c calc'!A0"  # typed text in XLSX: never a formula, so kept as it is
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str))


def test_an_xlsx_export_opens_as_a_workbook_with_no_formulas(signed_in, fleet):
    body = export(signed_in, "sort=name&columns=first_message,speed,updated_at", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert rows[0] == ["Name", "Speed", "First message", "Updated"]
    assert rows[1] == ["Alpha", 0.9, '=HYPERLINK("http://evil.example")', "2024-01-01T00:00:00Z"]  # as text
    assert [row[0] for row in rows[1:]] == ["Alpha", "Bravo", "Charlie"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_json_export_keeps_types_under_the_column_keys(signed_in, fleet):
    body = export(signed_in, "sort=name&columns=speed,action_ids,recording_enabled,language", "json")

    assert json.loads(body) == [
        {"name": "Alpha", "language": ["en", "es"], "speed": 0.9, "recording_enabled": True, "action_ids": "all"},
        {"name": "Bravo", "language": ["en", "es"], "speed": 1.2, "recording_enabled": True, "action_ids": []},
        {
            "name": "Charlie",
            "language": ["en", "es"],
            "speed": None,
            "recording_enabled": True,
            "action_ids": [{"id": "act_1", "name": None}, {"id": "act_2", "name": None}],
        },
    ]


def test_an_unknown_export_format_gives_a_message_and_the_page(signed_in, fleet):
    response = signed_in.get("/agents/?_export=pdf")

    assert response.status_code == 200
    assert (
        "&#x27;pdf&#x27; is not an export format (csv, json, xlsx): nothing was exported." in response.content.decode()
    )


def test_no_export_contains_the_token(signed_in, fleet):
    every = ",".join(COLUMNS)
    for export_format in ("csv", "json", "xlsx"):
        assert TEST_TOKEN.encode() not in export(signed_in, f"columns={every}", export_format)


def test_the_list_sorts_by_a_field_whose_column_is_not_shown(signed_in, fleet):
    from tests.test_agent_list import names

    assert names(signed_in.get("/agents/?sort=-speed")) == ["Bravo", "Alpha", "Charlie"]
    assert names(signed_in.get("/agents/?sort=speed")) == ["Alpha", "Bravo", "Charlie"]


def test_one_export_at_a_time_per_person(signed_in, fleet):
    first = signed_in.get("/agents/?_export=csv")  # still being sent: not read, not closed

    second = signed_in.get("/agents/?_export=json")
    first.close()
    third = signed_in.get("/agents/?_export=json")

    assert second.status_code == 429
    assert "An export of yours is still being made" in second.content.decode()
    assert third.status_code == 200 and json.loads(third.getvalue())
