"""POST /refresh/: read OpenCX now, then go back where the user was."""

from dashboard.snapshots.service import get_snapshot
from tests.conftest import TEST_TOKEN, agent_record


def test_refresh_reads_the_upstream_now_and_returns_to_the_page(signed_in, upstream, clock):
    signed_in.get("/agents/")
    clock.shift(10)
    upstream.set_agents([agent_record(id="fresh", name="Just added")])

    response = signed_in.post("/refresh/", {"next": "/agents/?q=just"})
    page = signed_in.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == "/agents/?q=just"
    assert upstream.calls == 2
    assert "Just added" in page.content.decode()
    assert "Refreshed: 1 agents read from OpenCX just now." in page.content.decode()


def test_a_failed_refresh_says_why_and_keeps_the_data(signed_in, upstream, clock):
    signed_in.get("/agents/")
    clock.shift(10)
    upstream.fault = "401"

    response = signed_in.post("/refresh/", {"next": "/agents/"}, follow=True)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Refresh failed. The OpenCX API rejected the token (HTTP 401)" in html
    assert len(get_snapshot().agents) == 30
    assert TEST_TOKEN not in html


def test_a_refresh_right_after_a_read_reuses_it_and_says_so(signed_in, upstream):
    signed_in.get("/agents/")

    response = signed_in.post("/refresh/", {"next": "/agents/"}, follow=True)

    assert upstream.calls == 1
    assert "so it was reused rather than asked for again" in response.content.decode()


def test_refresh_never_redirects_off_site(signed_in, upstream):
    response = signed_in.post("/refresh/", {"next": "https://evil.example/"})

    assert response["Location"] == "/agents/"


def test_refresh_needs_a_post(signed_in, upstream):
    assert signed_in.get("/refresh/").status_code == 405


def test_refresh_needs_a_signed_in_user(client, upstream):
    response = client.post("/refresh/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert upstream.calls == 0


def test_the_refresh_form_carries_a_csrf_token(signed_in, upstream):
    html = signed_in.get("/agents/").content.decode()

    assert 'action="/refresh/"' in html
    assert 'name="csrfmiddlewaretoken"' in html.split('action="/refresh/"')[1].split("</form>")[0]
