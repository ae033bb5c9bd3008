"""What OpenCX sends, however hostile, is parsed once: text Python cannot encode is repaired,
a record that cannot be kept is left out on its own, and every page, export and API answer stays
whole. Each case is served byte for byte by a fake OpenCX on loopback."""

import csv
import io
import json

import orjson
import pytest
from openpyxl import load_workbook

from dashboard.api.tokens import issue_token
from tests.conftest import agent_record

REPLACEMENT = "\ufffd"


def body_of(*records: str) -> bytes:
    """A `GET /phone` body made of records written as JSON text (so they can hold what json.dumps would not)."""
    return ("[" + ",".join(records) + "]").encode()


def record_text(**fields: object) -> str:
    return json.dumps(agent_record(**fields))


# A lone surrogate as a JSON escape: valid JSON that Python decodes but cannot encode.
SURROGATE_AGENT = record_text(id="ghost", name="Ghost NAME_HERE").replace("NAME_HERE", "\\ud800 line")
FRIENDLY_AGENT = record_text(id="friendly", name="Friendly")


def export(client, export_format: str, prefix: str = "") -> bytes:
    response = client.get(f"{prefix}/agents/?columns=name&_export={export_format}")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def surrogate(upstream):
    upstream.set_agents(body_of(SURROGATE_AGENT, FRIENDLY_AGENT))
    return upstream


def test_it_shows_an_agent_whose_name_holds_a_lone_surrogate_with_the_text_repaired(signed_in, surrogate):
    listing = signed_in.get("/agents/")
    page = signed_in.get("/agents/ghost/")

    assert listing.status_code == page.status_code == 200
    assert f"Ghost {REPLACEMENT} line" in listing.content.decode()
    assert f"Ghost {REPLACEMENT} line" in page.content.decode()
    assert "Friendly" in listing.content.decode()


def test_it_reports_the_repaired_text_as_a_parse_problem_naming_the_agent_and_field(signed_in, surrogate):
    problems = signed_in.get("/problems/")

    assert problems.status_code == 200
    text = problems.content.decode()
    assert "ghost" in text
    assert "name" in text
    assert "U+FFFD" in text


def test_it_serves_the_raw_json_of_the_agent_with_the_text_repaired(signed_in, surrogate):
    response = signed_in.get("/agents/ghost/json/")

    assert response.status_code == 200
    assert json.loads(response.content)["name"] == f"Ghost {REPLACEMENT} line"


def test_it_exports_csv_json_and_xlsx_with_the_text_repaired(signed_in, surrogate):
    rows = list(csv.reader(io.StringIO(export(signed_in, "csv").decode("utf-8-sig"))))
    records = json.loads(export(signed_in, "json"))
    sheet = load_workbook(io.BytesIO(export(signed_in, "xlsx"))).active

    assert [f"Ghost {REPLACEMENT} line"] in rows
    assert {"name": f"Ghost {REPLACEMENT} line"} in [{"name": record["name"]} for record in records]
    assert f"Ghost {REPLACEMENT} line" in [row[0] for row in sheet.iter_rows(values_only=True)]


def test_it_answers_the_api_with_the_text_repaired(client, user, surrogate):
    token = issue_token(user, "script")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    listed = client.get("/api/v1/agents/", **auth)
    one = client.get("/api/v1/agents/ghost/", **auth)

    assert listed.status_code == one.status_code == 200
    assert f"Ghost {REPLACEMENT} line" in [agent["fields"]["name"] for agent in listed.json()["results"]]
    assert one.json()["fields"]["name"] == f"Ghost {REPLACEMENT} line"


def test_it_keeps_the_views_across_organizations_working(signed_in, two_orgs):
    two_orgs.a.set_agents(body_of(SURROGATE_AGENT, FRIENDLY_AGENT))

    for url in ("/", "/agents/", "/problems/", "/o/a/agents/ghost/", "/o/b/agents/"):
        response = signed_in.get(url)
        assert response.status_code == 200, url
    assert f"Ghost {REPLACEMENT} line" in signed_in.get("/agents/").content.decode()
    assert "bravomark" in signed_in.get("/agents/?columns=name,first_message").content.decode()
    assert json.loads(export(signed_in, "json"))


# --- records that cannot be kept as sent, each one on its own ----------------------------------


def problems_page(client) -> str:
    response = client.get("/problems/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_keeps_an_integer_beyond_64_bits_as_text_so_the_json_export_stays_whole(signed_in, upstream):
    upstream.set_agents(body_of(record_text(id="wide", speed=2**80, brand_new={"count": -(2**70)}), FRIENDLY_AGENT))

    records = json.loads(export(signed_in, "json"))  # a cut-off export would not decode
    raw = signed_in.get("/agents/wide/json/")

    assert [record["name"] for record in records] == ["Billing EN", "Friendly"]
    assert json.loads(raw.content)["brand_new"] == {"count": str(-(2**70))}
    assert "an integer of 25 digits, beyond 64 bits: kept as text" in problems_page(signed_in)


def test_it_keeps_a_5000_digit_integer_as_text_and_the_other_agents_as_they_are(signed_in, upstream):
    upstream.set_agents(
        body_of(
            record_text(id="huge", tts_speed_pct=0).replace('"tts_speed_pct": 0', '"tts_speed_pct": ' + "7" * 5000),
            FRIENDLY_AGENT,
        )
    )

    listing = signed_in.get("/agents/").content.decode()

    assert "Friendly" in listing and "Billing EN" in listing
    assert "an integer of 5,000 digits" in problems_page(signed_in)


def test_it_leaves_out_only_the_agent_nested_100000_deep_naming_it(signed_in, upstream):
    deep = record_text(id="abyss", flow=None).replace('"flow": null', '"flow": ' + "[" * 100_000 + "]" * 100_000)
    upstream.set_agents(body_of(deep, FRIENDLY_AGENT))

    listing = signed_in.get("/agents/").content.decode()
    problems = problems_page(signed_in)

    assert "Friendly" in listing and "abyss" not in listing
    assert "abyss" in problems and "nested more than 64 deep; the agent is left out" in problems


def test_it_leaves_out_an_agent_nested_deeper_than_exports_can_encode(signed_in, upstream):
    deep = record_text(id="deep", flow=None).replace('"flow": null', '"flow": ' + "[" * 300 + "]" * 300)
    upstream.set_agents(body_of(deep, FRIENDLY_AGENT))

    records = json.loads(export(signed_in, "json"))

    assert [record["name"] for record in records] == ["Friendly"]
    assert "nested more than 64 deep" in problems_page(signed_in)


def test_it_repairs_bytes_that_are_not_utf8_in_one_agent_saying_where(signed_in, upstream):
    body = body_of(record_text(id="latin", name="CafMARK"), FRIENDLY_AGENT).replace(b"MARK", b"\xe9")  # Latin-1
    upstream.set_agents(body)

    page = signed_in.get("/agents/latin/").content.decode()
    problems = problems_page(signed_in)
    where = body.index(b"\xe9") + 1

    assert f"Caf{REPLACEMENT}" in page
    assert "latin" in problems and f"bytes that are not UTF-8 at byte {where:,}" in problems


def test_it_repairs_a_nul_character_in_an_agent_name(signed_in, upstream):
    upstream.set_agents(body_of(record_text(id="nul", name="Null\u0000Agent"), FRIENDLY_AGENT))

    listing = signed_in.get("/agents/").content.decode()

    assert f"Null{REPLACEMENT}Agent" in listing
    assert "a NUL character, replaced with U+FFFD" in problems_page(signed_in)


def test_it_still_says_not_json_for_a_body_that_is_not_json(signed_in, upstream):
    upstream.set_agents(b'[{"id": "a", "name": "Half"}, {"id": "b", "name": ')

    page = signed_in.get("/agents/")

    assert page.status_code in (200, 503)
    assert "not JSON" in page.content.decode()


# --- what the records travel on in ------------------------------------------------------------


def test_it_cuts_an_xlsx_cell_longer_than_excel_holds_marking_the_cut(signed_in, upstream):
    upstream.set_agents([agent_record(id="long", first_message="Welcome! " * 5_000)])

    response = signed_in.get("/agents/?columns=first_message&_export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet["B2"].value

    assert len(cell) == 32_767
    assert cell.startswith("Welcome! Welcome!") and cell.endswith("…")


def test_it_counts_an_xlsx_cell_as_excel_does_an_emoji_twice(signed_in, upstream):
    upstream.set_agents([agent_record(id="long", first_message="Hi 👋 " * 10_000)])

    response = signed_in.get("/agents/?columns=first_message&_export=xlsx")
    cell = load_workbook(io.BytesIO(response.content)).active["B2"].value

    assert len(cell.encode("utf-16-le")) // 2 <= 32_767
    assert len(cell.encode("utf-16-le")) // 2 >= 32_767 - 2  # cut at the limit, not far before it
    assert cell.startswith("Hi 👋 Hi") and cell.endswith("…")


def test_it_keeps_a_digest_entry_on_one_line_whatever_the_agent_name_holds(
    signed_in, user, upstream, history, clock, settings
):
    from django.core import mail
    from django.utils import timezone

    from dashboard.digests.models import Subscription
    from tests.conftest import expire_and_refresh
    from tests.webhooks import WebhookReceiver

    settings.DIGEST_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.DIGEST_WEBHOOK_SECRET = "digest-shared-secret"
    name = "Billing\nRemoved: Everything [all]\r\u2028Forged"
    upstream.set_agents([agent_record(id="a", name=name)])
    with WebhookReceiver() as receiver:
        user.email = "ops@example.com"
        user.save()
        Subscription.objects.create(
            user=user,
            name="Ops",
            frequency=Subscription.AFTER_REFRESH,
            covered_until=timezone.now(),
            webhook_url=receiver.url,
        )
        signed_in.get("/agents/")
        upstream.set_agents([agent_record(id="a", name=name, model="oppie-vox-turbo")])
        expire_and_refresh(clock)

        (email,) = mail.outbox
        text = receiver.bodies()[0]["text"]

    assert text == email.body
    assert (
        "Changed: Billing Removed: Everything [all] Forged [a]: Model: oppie-vox-2 → oppie-vox-turbo"
        in text.splitlines()
    )
    assert not any(line.startswith(("Removed:", "Forged")) for line in text.splitlines())


def test_it_repairs_a_voice_name_no_page_could_encode(signed_in, upstream):
    upstream.set_agents([agent_record(id="a", voice_id="vx_ghost")])
    upstream.set_voices([{"id": "vx_ghost", "name": "Ghost \ud800 voice"}])  # sent as the escape \ud800

    page = signed_in.get("/agents/a/")
    listed = signed_in.get("/agents/?columns=voice")

    assert page.status_code == listed.status_code == 200
    assert "Ghost \ufffd voice" in page.content.decode() and "Ghost \ufffd voice" in listed.content.decode()


@pytest.mark.parametrize("written", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_it_reads_a_number_json_has_not_as_not_set_with_a_problem(signed_in, upstream, written):
    body = json.dumps([agent_record(id="a", speed=1.25), agent_record(id="odd", name="Odd")])
    upstream.set_agents(body.replace('"speed": 1.25', f'"speed": {written}', 1).encode())

    problems = signed_in.get("/problems/").content.decode()
    exported = signed_in.get("/agents/?_export=json&columns=id,speed")

    assert f"{written} is not a JSON number" in problems and "speed" in problems
    assert exported.status_code == 200
    rows = orjson.loads(b"".join(exported.streaming_content))
    assert {row["id"]: row["speed"] for row in rows} == {"a": None, "odd": 1.1}


def test_it_names_the_key_that_holds_a_lone_surrogate(signed_in, upstream):
    body = json.dumps([agent_record(id="a")])
    upstream.set_agents(body.replace('"id": "a"', '"id": "a", "odd\\ud800key": 1', 1).encode())

    problems = signed_in.get("/problems/").content.decode()

    assert "odd\ufffdkey" in problems
