"""The API tokens page: everyone makes, names, lists and revokes their own tokens; each is shown once."""

import re

from dashboard.access.models import AuditEvent
from dashboard.api.models import APIToken
from dashboard.api.tokens import digest_of, issue_token
from tests.conftest import user_in


def test_a_new_token_is_shown_once_and_then_listed_by_its_prefix(viewer_client, upstream):
    created = viewer_client.post("/tokens/", {"name": "Weekly report", "days": "30"}).content.decode()
    token = re.search(r'id="new-token-value">([^<]+)<', created).group(1)
    later = viewer_client.get("/tokens/").content.decode()

    row = APIToken.objects.get()
    assert row.digest == digest_of(token) and row.user.username == "stakeholder"
    assert token not in later and f"{row.prefix}…" in later and "Weekly report" in later
    assert viewer_client.get("/api/v1/status/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.TOKEN_CREATED).exists()


def test_a_revoked_token_stops_working_and_says_so(signed_in, upstream, user):
    row, token = issue_token(user, "CI")

    response = signed_in.post(f"/tokens/{row.pk}/revoke/", follow=True)

    assert "Revoked “CI”" in response.content.decode()
    assert 'data-state="revoked"' in response.content.decode()
    assert signed_in.get("/api/v1/status/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_nobody_sees_or_revokes_someone_elses_tokens(signed_in, upstream, django_user_model):
    theirs, _ = issue_token(user_in(django_user_model, "someone", "Operator"), "Their script")

    page = signed_in.get("/tokens/").content.decode()
    refused = signed_in.post(f"/tokens/{theirs.pk}/revoke/")

    assert "Their script" not in page
    assert refused.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_token_needs_a_name(signed_in, upstream):
    page = signed_in.post("/tokens/", {"name": "  ", "days": ""}).content.decode()

    assert 'id="new-token"' not in page and "is-invalid" in page
    assert not APIToken.objects.exists()


def test_the_user_menu_offers_the_page(viewer_client, upstream):
    assert 'href="/tokens/">API tokens</a>' in viewer_client.get("/").content.decode()
