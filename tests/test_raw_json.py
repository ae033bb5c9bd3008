"""An agent's record exactly as OpenCX sent it, on its page and as a download, redacted per role."""

import json

from tests.conftest import agent_record

ODD = agent_record(id="odd", name="Odd", speed=1, brand_new_field={"nested": [1, 2.5]}, instructions=["secret plan"])


def raw(page: str) -> dict:
    block = page.split('id="raw-json"')[1].split("<code>")[1].split("</code>")[0]
    return json.loads(block.replace("&quot;", '"').replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">"))


def test_the_detail_page_shows_the_record_as_sent(signed_in, upstream):
    upstream.set_agents([ODD])

    page = signed_in.get("/agents/odd/").content.decode()

    assert raw(page) == ODD  # 1 stays 1, the unknown field is there, nothing is renamed
    assert list(raw(page)) == list(ODD)  # in the order it was sent
    assert 'id="raw-json-hidden"' not in page


def test_the_record_downloads_as_json(signed_in, upstream):
    upstream.set_agents([ODD])

    response = signed_in.get("/agents/odd/json/")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert 'filename="agent-odd.json"' in response["Content-Disposition"]
    assert json.loads(response.content) == ODD


def test_a_viewer_gets_the_record_without_the_sensitive_fields(viewer_client, upstream):
    upstream.set_agents([ODD])

    page = viewer_client.get("/agents/odd/").content.decode()
    download = json.loads(viewer_client.get("/agents/odd/json/").content)

    expected = {key: value for key, value in ODD.items() if key not in {"instructions", "provider_external_id"}}
    expected.pop("data_collection_webhook_url")
    expected.pop("custom_llm")
    assert raw(page) == download == expected
    assert "secret plan" not in page
    assert "custom_llm, data_collection_webhook_url, instructions, provider_external_id" in page


def test_a_missing_agent_has_no_record_to_download(signed_in, upstream):
    assert signed_in.get("/agents/nobody/json/").status_code == 404
