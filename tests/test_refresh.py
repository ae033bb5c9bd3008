"""POST /refresh/: read OpenCX now, then go back where the user was."""

from dashboard.snapshots import service
from dashboard.snapshots.service import get_snapshot
from tests.conftest import TEST_TOKEN, agent_record, user_in


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


def test_a_click_during_the_back_off_answers_at_once_with_the_next_try(signed_in, upstream, clock):
    signed_in.get("/agents/")
    upstream.fault = "500"
    clock.shift(600)
    signed_in.post("/refresh/", {"next": "/agents/"})  # fails: the back-off starts
    calls = upstream.calls

    clicks = [signed_in.post("/refresh/", {"next": "/agents/"}, follow=True) for _ in range(5)]

    assert upstream.calls == calls  # none of them reached OpenCX
    assert "it is asked again at" in clicks[-1].content.decode()
    assert "Refresh failed" not in clicks[-1].content.decode()


def test_staff_may_read_again_before_the_back_off_ends_and_others_may_not(client, upstream, clock, django_user_model):
    client.force_login(user_in(django_user_model, "operator", "Operator"))
    client.get("/agents/")
    upstream.fault = "500"
    clock.shift(600)
    client.post("/refresh/", {"next": "/agents/"})
    upstream.fault = None

    operator = client.post("/refresh/", {"next": "/agents/", "force": "1"}, follow=True).content.decode()
    client.force_login(user_in(django_user_model, "admin", "Staff"))
    staff = client.post("/refresh/", {"next": "/agents/", "force": "1"}, follow=True).content.decode()

    assert "it is asked again at" in operator
    assert "Refreshed: 30 agents" in staff


def test_a_click_while_another_refresh_runs_answers_at_once(
    signed_in, upstream, clock, background_refreshes, hold, settings
):
    settings.OPENCX_TIMEOUT = 30  # the held read is let go long before the client would give up
    signed_in.get("/agents/")
    held = hold(upstream)
    clock.shift(600)
    signed_in.get("/agents/")  # starts the background refresh, which waits on the held upstream
    held.arrived.wait(timeout=10)

    response = signed_in.post("/refresh/", {"next": "/agents/"}, follow=True)
    still_running = service.upstream_status().refreshing  # answered while OpenCX had not answered the other
    held.release()

    assert still_running
    assert "A refresh is running right now" in response.content.decode()
