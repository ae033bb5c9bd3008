"""Every page but sign-in, static files and /healthz needs a signed-in user."""

import pytest
from django.contrib.auth import get_user_model

from dashboard.access.models import AuditEvent
from dashboard.demo.accounts import DEMO_EMAIL, sync_demo_account


@pytest.mark.parametrize("url", ["/", "/agents/", "/agents/x/", "/problems/", "/admin/"])
def test_anonymous_requests_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/") or response["Location"].startswith("/admin/login/")


def test_healthz_answers_without_sign_in_and_without_asking_upstream(client, upstream):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert upstream.calls == 0


def test_unknown_addresses_are_not_found_rather_than_revealed(client):
    assert client.get("/nonexistent/").status_code == 404


def test_static_files_need_no_sign_in(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # tests run without collectstatic
    response = client.get("/static/switchboard/switchboard.css")

    assert response.status_code == 200


def test_the_sign_in_page_offers_the_demo_account_in_demo_mode(client, settings):
    settings.DEMO_MODE = True

    assert b"sign in as <strong>demo</strong>" in client.get("/login/").content


def test_the_sign_in_page_mentions_no_demo_account_outside_demo_mode(client, settings):
    settings.DEMO_MODE = False

    assert b"demo" not in client.get("/login/").content.lower().replace(b"demo-", b"")


def test_signing_in_leads_to_the_page_asked_for(client, user):
    response = client.post(
        "/login/?next=/agents/%3Fq%3Dx",
        {
            "username": "ops",
            "password": "correct horse battery",
            "next": "/agents/?q=x",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/agents/?q=x"


def test_a_wrong_password_is_refused(client, user):
    response = client.post("/login/", {"username": "ops", "password": "wrong"})

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def signs_in(client, username: str, password: str) -> bool:
    """Through the sign-in form, as people do (django-axes needs the request)."""
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_the_demo_account_exists_in_demo_mode_only(client, settings):
    settings.DEMO_MODE = True
    sync_demo_account()
    assert signs_in(client, "demo", "demo")
    client.logout()

    settings.DEMO_MODE = False
    sync_demo_account()

    assert not signs_in(client, "demo", "demo")


@pytest.mark.django_db
def test_a_real_user_called_demo_is_left_alone_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    get_user_model().objects.filter(username="demo").delete()  # the test database was migrated in demo mode
    user = get_user_model().objects.create_user("demo", "ops@example.com", "a strong passphrase")

    sync_demo_account()

    user.refresh_from_db()
    assert user.email != DEMO_EMAIL
    assert user.check_password("a strong passphrase")


def test_signing_out_needs_a_post_and_ends_the_session(signed_in):
    response = signed_in.post("/logout/")

    assert response.status_code == 302
    assert signed_in.get("/agents/").status_code == 302


def test_the_sixth_wrong_password_in_a_row_is_refused_without_checking_it_and_audited(client, user):
    for _ in range(4):
        response = client.post("/login/", {"username": "ops", "password": "wrong"})
        assert b"Please enter a correct username and password" in response.content
    fifth = client.post("/login/", {"username": "ops", "password": "wrong"})

    sixth = client.post("/login/", {"username": "ops", "password": "correct horse battery"})

    assert fifth.status_code == 429 and b"Too many failed sign-ins" in fifth.content
    assert sixth.status_code == 429 and b"refused without checking the password" in sixth.content
    assert "_auth_user_id" not in client.session
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "username"))
    assert actions == [(AuditEvent.SIGN_IN_FAILED, "ops")] * 5 + [(AuditEvent.SIGN_IN_REFUSED, "ops")]


def test_a_successful_sign_in_resets_the_count(client, user):
    for _ in range(4):
        client.post("/login/", {"username": "ops", "password": "wrong"})
    assert signs_in(client, "ops", "correct horse battery")
    client.logout()
    for _ in range(4):
        client.post("/login/", {"username": "ops", "password": "wrong"})

    assert signs_in(client, "ops", "correct horse battery")
