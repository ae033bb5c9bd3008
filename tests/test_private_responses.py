"""What a page holds is for its reader alone: no cache keeps it, and with DEBUG on only staff see
Django's error page (which lists the failing code's variables, agent values among them)."""

import pytest

from dashboard.access.sharing import create_share, share_url
from dashboard.agents.views import detail
from dashboard.api.tokens import issue_token
from tests.conftest import agent_record, user_in

SECRET = "https://hooks.example.com/secret-path-4711"


@pytest.fixture
def fleet(upstream):
    upstream.set_agents([agent_record(id="a1", name="Alpha", data_collection_webhook_url=SECRET)])
    return upstream


@pytest.mark.parametrize("path", ["/", "/agents/", "/agents/a1/", "/agents/?_export=csv", "/findings/"])
def test_no_cache_keeps_a_page(signed_in, fleet, path):
    response = signed_in.get(path)

    assert response.status_code == 200
    assert {"no-store", "private"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_no_cache_keeps_a_shared_page(client, fleet, user):
    response = client.get(share_url(create_share(user=user, agent_id="a1", title="Alpha")))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_no_cache_keeps_an_api_answer(client, fleet, user):
    _, token = issue_token(user, "cache test")

    response = client.get("/api/v1/agents/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def failing_detail(monkeypatch, settings, client):
    """The agent page fails while it holds the agent, with DEBUG on."""
    settings.DEBUG = True
    client.raise_request_exception = False

    def fail(agent, *args):
        raise RuntimeError("the page broke")

    monkeypatch.setattr(detail, "detail_groups", fail)
    return client


def test_with_debug_on_a_viewer_gets_the_plain_error_page(failing_detail, fleet, django_user_model):
    failing_detail.force_login(user_in(django_user_model, "stakeholder", "Viewer"))

    response = failing_detail.get("/agents/a1/")

    assert response.status_code == 500
    assert SECRET not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_with_debug_on_staff_get_the_debug_page(failing_detail, fleet, django_user_model):
    failing_detail.force_login(user_in(django_user_model, "admin", "Staff"))

    response = failing_detail.get("/agents/a1/")

    assert response.status_code == 500
    assert "Traceback" in response.content.decode()
    assert "the page broke" in response.content.decode()
