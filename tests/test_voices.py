"""Voice names from GET /phone/voices beside voice ids; everything still works with ids alone."""

from datetime import timedelta

import pytest

from dashboard.opencx.voices import parse_voices
from dashboard.snapshots import voices
from dashboard.snapshots.service import get_snapshot
from tests.conftest import agent_record, expire_and_refresh

VOICES = [{"id": "vx_aria", "name": "Aria", "provider": "opencx"}, {"id": "vx_otto", "name": "Otto"}]


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            agent_record(id="a", name="Billing EN", voice_id="vx_aria"),
            agent_record(id="b", name="Support DE", voice_id="vx_otto"),
            agent_record(id="c", name="Sales", voice_id="vx_unlisted"),
        ]
    )
    return upstream


@pytest.mark.parametrize(
    "payload",
    [
        [{"id": "v1", "name": "Aria"}],
        {"voices": [{"id": "v1", "name": "Aria"}]},
        {"data": [{"voice_id": "v1", "display_name": "Aria"}]},
        [{"voiceId": "v1", "label": " Aria "}, {"id": "v1", "name": "Second"}],
    ],
)
def test_likely_shapes_of_the_voices_list_are_read(payload):
    assert parse_voices(payload) == {"v1": "Aria"}


@pytest.mark.parametrize(
    "payload", [None, "voices", 7, {"voices": "x"}, [1, None, [], {"id": 3, "name": "x"}, {"id": "v"}]]
)
def test_anything_else_gives_no_names(payload):
    assert parse_voices(payload) == {}


def test_voices_show_by_name_beside_their_id(signed_in, fleet):
    fleet.set_voices(VOICES)

    listing = signed_in.get("/agents/?sort=name").content.decode()
    detail = signed_in.get("/agents/a/").content.decode()

    assert 'Aria <span class="vid">vx_aria</span>' in listing
    assert '<span class="vid">vx_unlisted</span>' in listing
    assert 'id="field-voice_id">Aria <span class="vid">vx_aria</span>' in detail


def test_agents_can_be_filtered_and_found_by_voice_name(signed_in, fleet):
    fleet.set_voices(VOICES)

    menu = signed_in.get("/agents/facets/voice/").content.decode()
    by_menu = signed_in.get("/agents/?voice=vx_otto").content.decode()
    by_search = signed_in.get("/agents/?q=otto").content.decode()

    assert "Aria (vx_aria)" in menu and "Otto (vx_otto)" in menu and ">vx_unlisted<" in menu
    assert "Support DE" in by_menu and "Billing EN" not in by_menu
    assert "voice: Otto (vx_otto)" in by_menu  # the chip
    assert "Support DE" in by_search and "Billing EN" not in by_search


def test_the_overview_names_voices(signed_in, fleet):
    fleet.set_voices(VOICES)

    voices = signed_in.get("/").content.decode().split('id="breakdown-voice"')[1].split("</section>")[0]

    assert 'title="Aria (vx_aria)"' in voices and 'title="vx_unlisted"' in voices


@pytest.mark.parametrize("voices", [None, b"<html>oops</html>", b'{"voices": 5}'])
def test_without_a_usable_voices_list_everything_works_with_ids(signed_in, fleet, voices):
    if voices is not None:
        fleet._bodies["/phone/voices"] = voices

    listing = signed_in.get("/agents/?voice=vx_aria")

    assert listing.status_code == 200
    assert '<span class="vid">vx_aria</span>' in listing.content.decode()
    assert get_snapshot().stale_reason is None


def test_voice_names_are_read_at_most_hourly(signed_in, fleet, clock):
    fleet.set_voices(VOICES)
    signed_in.get("/agents/")
    fleet.set_voices([])
    expire_and_refresh(clock)
    expire_and_refresh(clock)

    assert (fleet.calls, fleet.voice_calls) == (3, 1)
    assert get_snapshot().voice_name("vx_aria") == "Aria"


def test_a_failed_read_of_the_voices_keeps_the_names_last_read(signed_in, fleet, monkeypatch, clock):
    fleet.set_voices(VOICES)
    signed_in.get("/agents/")
    monkeypatch.setattr(voices, "VOICES_PERIOD", timedelta(0))
    fleet._bodies["/phone/voices"] = b"<html>gateway error</html>"
    expire_and_refresh(clock)

    assert fleet.voice_calls == 2
    assert get_snapshot().voice_name("vx_aria") == "Aria"
    assert get_snapshot().stale_reason is None


def test_voice_names_are_escaped(signed_in, fleet):
    fleet.set_voices([{"id": "vx_aria", "name": "<b>Aria</b>"}])

    html = signed_in.get("/agents/").content.decode()

    assert "<b>Aria</b>" not in html and "&lt;b&gt;Aria&lt;/b&gt;" in html
