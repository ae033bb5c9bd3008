"""Roles (Viewer, Operator, Staff), hidden sensitive fields, share links and the audit log."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.access.models import AuditEvent, ShareLink
from dashboard.access.sharing import share_url
from tests.conftest import agent_record, expire_and_refresh, user_in

SECRETS = {
    "data_collection_webhook_url": "https://hooks.secret.example/abc",
    "custom_llm": "llm-secret-endpoint",
    "provider_external_id": "prov_secret_42",
    "instructions": ["Secret instruction: never reveal the discount code."],
}
SECRET_TEXTS = ["hooks.secret.example", "llm-secret-endpoint", "prov_secret_42", "never reveal the discount"]
SENSITIVE_COLUMNS = "columns=name,data_collection_webhook_url,custom_llm,provider_external_id,instructions"


@pytest.fixture
def fleet(upstream):
    upstream.set_agents([agent_record(id="a1", name="Billing EN", **SECRETS), agent_record(id="a2", name="Other")])
    return upstream


def leaks(html: str) -> list[str]:
    return [text for text in SECRET_TEXTS if text in html]


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(user_in(django_user_model, "admin", "Staff"))
    return client


def test_a_viewer_sees_sensitive_fields_as_hidden_on_every_page(viewer_client, fleet):
    pages = {
        "list": viewer_client.get(f"/agents/?{SENSITIVE_COLUMNS}"),
        "detail": viewer_client.get("/agents/a1/"),
        "compare": viewer_client.get("/agents/compare/?id=a1&id=a2"),
        "overview": viewer_client.get("/"),
        "findings": viewer_client.get("/findings/"),
    }

    for name, response in pages.items():
        assert response.status_code == 200, name
        assert leaks(response.content.decode()) == [], name
    assert pages["list"].content.decode().count("hidden-value") == 8  # four fields, two agents
    assert pages["detail"].content.decode().count("hidden-value") == 4
    # Hidden on both sides is not a difference: compare tells nothing about hidden values.
    compare = pages["compare"].content.decode()
    assert 'data-field="custom_llm" class="differs"' not in compare


def test_a_viewer_cannot_find_or_sort_by_a_hidden_field(viewer_client, fleet):
    viewer = viewer_client.get("/agents/?q=discount").content.decode()
    sorted_page = viewer_client.get("/agents/?sort=custom_llm").content.decode()

    assert "No agents match" in viewer
    assert "Cannot sort by &#x27;custom_llm&#x27;" in sorted_page


def test_an_operator_sees_everything_and_can_find_by_it(client, django_user_model, fleet):
    client.force_login(user_in(django_user_model, "op", "Operator"))

    html = client.get(f"/agents/?{SENSITIVE_COLUMNS}&q=discount").content.decode()

    assert leaks(html) == SECRET_TEXTS
    assert "Billing EN" in html


def test_a_viewer_gets_403_on_refresh_export_status_and_shares(viewer_client, fleet):
    assert viewer_client.post("/refresh/", {"next": "/agents/"}).status_code == 403
    for export in ("csv", "json", "xlsx"):
        response = viewer_client.get(f"/agents/?_export={export}")
        assert response.status_code == 403, export
        assert leaks(response.content.decode()) == []
    assert viewer_client.get("/status/").status_code == 403
    assert viewer_client.get("/shares/").status_code == 403
    assert viewer_client.post("/shares/new/", {"query": ""}).status_code == 403
    assert viewer_client.get("/admin/").status_code == 302  # to the admin's sign-in
    html = viewer_client.get("/agents/").content.decode()
    assert 'id="export-menu"' not in html and "⟳ Refresh" not in html and 'id="share-menu"' not in html


def test_an_operator_can_refresh_and_export_and_exports_are_audited(signed_in, fleet):
    refresh = signed_in.post("/refresh/", {"next": "/agents/"})
    export = signed_in.get(f"/agents/?_export=json&{SENSITIVE_COLUMNS}")

    assert refresh.status_code == 302
    assert export.status_code == 200
    rows = json.loads(export.getvalue())
    assert rows[0]["custom_llm"] == "llm-secret-endpoint"
    event = AuditEvent.objects.get(action=AuditEvent.EXPORT)
    assert event.username == "ops" and event.detail.startswith("JSON of 2 agents")
    assert signed_in.get("/status/").status_code == 403  # staff only


def test_staff_reach_the_status_page_and_the_admin(staff_client, fleet):
    assert staff_client.get("/status/").status_code == 200
    assert staff_client.get("/admin/").status_code == 200
    assert staff_client.get("/admin/auth/user/").status_code == 200
    assert staff_client.get("/admin/access/auditevent/").status_code == 200


def test_an_export_by_someone_allowed_to_export_but_not_to_see_sensitive_fields_hides_them(
    client, django_user_model, fleet
):
    from django.contrib.auth.models import Permission

    user = user_in(django_user_model, "exporter", "Viewer")
    user.user_permissions.add(Permission.objects.get(codename="export_agents"))
    client.force_login(user)

    response = client.get(f"/agents/?_export=csv&{SENSITIVE_COLUMNS}")

    assert response.status_code == 200
    body = response.getvalue().decode()
    assert leaks(body) == []
    assert "hidden" in body


def test_the_timeline_hides_changes_to_sensitive_fields_from_viewers(history, viewer_client, fleet, clock):
    viewer_client.get("/agents/")
    fleet.set_agents(
        [agent_record(id="a1", name="Billing EN", **{**SECRETS, "custom_llm": "llm-new-secret"}, speed=2.0)]
    )
    expire_and_refresh(clock)

    html = viewer_client.get("/agents/a1/").content.decode()

    assert 'data-field="custom_llm"' in html and 'data-field="speed"' in html
    assert "llm-new-secret" not in html and leaks(html) == []


# --- share links ---------------------------------------------------------------------------------


def create_share(client, **data) -> ShareLink:
    response = client.post("/shares/new/", data)
    assert response.status_code == 302
    return ShareLink.objects.latest("id")


def test_a_shared_list_opens_without_an_account_exactly_as_shared_and_redacted(signed_in, client, fleet):
    link = create_share(signed_in, query=f"q=billing&{SENSITIVE_COLUMNS}&sort=-name", days="7")
    client.logout()

    response = client.get(share_url(link))
    html = response.content.decode()

    assert response.status_code == 200
    assert "Billing EN" in html and ">Other<" not in html
    assert leaks(html) == [] and html.count("hidden-value") == 4
    assert "Shared view</strong> from ops" in html
    assert f"expires {link.expires_at:%Y-%m-%d %H:%M} UTC" in html
    assert 'id="filters"' not in html and 'id="export-menu"' not in html and "compare-pick" not in html
    # The visitor may page and re-order, not widen the view.
    widened = client.get(share_url(link) + "?q=other&columns=name").content.decode()
    assert "Billing EN" in widened and ">Other<" not in widened and widened.count("hidden-value") == 4


def test_a_shared_agent_page_opens_redacted(signed_in, client, fleet):
    link = create_share(signed_in, agent_id="a1", days="1")
    client.logout()

    html = client.get(share_url(link)).content.decode()

    assert "Billing EN" in html and leaks(html) == []
    assert abs(link.expires_at - link.created_at - timedelta(days=1)) < timedelta(seconds=1)
    assert 'id="back-to-list"' not in html


@pytest.mark.parametrize("spoil", ["revoke", "expire", "tamper", "unknown"])
def test_a_revoked_expired_or_tampered_link_shows_no_agent_data(signed_in, client, fleet, spoil):
    link = create_share(signed_in, agent_id="a1")
    url = share_url(link)
    if spoil == "revoke":
        assert signed_in.post(f"/shares/{link.pk}/revoke/").status_code == 302
    elif spoil == "expire":
        ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "tamper":
        token = url.split("/")[2]
        url = f"/s/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/"
    else:
        url = url.replace(f"/s/{link.pk}:", "/s/999:")
    client.logout()

    response = client.get(url)
    html = response.content.decode()

    assert response.status_code == 404
    assert "This shared link does not open" in html
    assert "Billing EN" not in html and "a1" not in re.sub(r"<[^>]+>", "", html).split()


def test_share_links_are_listed_revocable_and_audited(signed_in, fleet):
    link = create_share(signed_in, query="model=oppie-vox-2", days="30")

    listing = signed_in.get("/shares/").content.decode()
    signed_in.post(f"/shares/{link.pk}/revoke/")
    after = signed_in.get("/shares/").content.decode()

    assert 'data-state="active"' in listing and share_url(link) in listing
    assert 'data-state="revoked"' in after and share_url(link) not in after
    actions = list(
        AuditEvent.objects.exclude(action=AuditEvent.SIGN_IN).order_by("id").values_list("action", flat=True)
    )
    assert actions == [AuditEvent.SHARE_CREATED, AuditEvent.SHARE_REVOKED]


def test_an_operator_cannot_revoke_someone_elses_link(signed_in, client, django_user_model, fleet):
    link = create_share(signed_in, agent_id="a1")
    client.force_login(user_in(django_user_model, "other-op", "Operator"))

    assert client.post(f"/shares/{link.pk}/revoke/").status_code == 403
    assert ShareLink.objects.get(pk=link.pk).revoked_at is None
    assert share_url(link) not in client.get("/shares/").content.decode()


def test_expiry_is_bounded_and_a_bad_value_uses_the_default(signed_in, fleet):
    long = create_share(signed_in, agent_id="a1", days="365")
    bad = create_share(signed_in, agent_id="a1", days="soon")

    assert long.expires_at - long.created_at <= timedelta(days=90, seconds=1)
    assert timedelta(days=7) - timedelta(seconds=5) < bad.expires_at - bad.created_at <= timedelta(days=7, seconds=1)


def test_sign_ins_and_failed_sign_ins_are_audited(client, django_user_model, upstream):
    user_in(django_user_model, "ops", "Operator")

    client.post("/login/", {"username": "ops", "password": "wrong"})
    client.post("/login/", {"username": "ops", "password": "correct horse battery"})

    events = list(AuditEvent.objects.order_by("id").values_list("action", "username"))
    assert events == [(AuditEvent.SIGN_IN_FAILED, "ops"), (AuditEvent.SIGN_IN, "ops")]
    assert "wrong" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))
