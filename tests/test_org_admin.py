"""Organizations staff add in the admin (write-only, encrypted tokens), organization roles on the
user admin, `rotate_org_tokens` and the checks of stored tokens."""

import logging
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms import MultiWidget

from dashboard.access.models import AuditEvent, OrgGrant
from dashboard.demo.server import FakeOpenCX
from dashboard.orgs import encryption
from dashboard.orgs.models import Organization
from dashboard.orgs.registry import forget_admin_orgs, organizations
from tests.conftest import agent_record, user_in

ORG_TOKEN = "ocx_live_admin_SECRET_token_77c1"
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SECRET_LLM = "llm-secret-endpoint"
ADD_URL = "/admin/orgs/organization/add/"


@pytest.fixture(autouse=True)
def admin_orgs(settings: Any) -> Iterator[None]:
    """No environment organization and no demo: only those staff add, encrypted with OLD_KEY."""
    settings.DEMO_MODE = False
    settings.OPENCX_API_TOKEN = ""
    settings.OPENCX_ORGS = []
    settings.ORG_TOKEN_KEYS = [OLD_KEY]
    settings.OPENCX_TIMEOUT = 1
    # The registry keeps the admin's organizations per process; a test's rows end with it.
    forget_admin_orgs()
    yield
    forget_admin_orgs()


@pytest.fixture
def fake() -> Iterator[FakeOpenCX]:
    agents = [agent_record(id="a1", name="Billing EN", custom_llm=SECRET_LLM), agent_record(id="a2", name="Other")]
    with FakeOpenCX(agents, token=ORG_TOKEN) as server:
        yield server


@pytest.fixture
def staff(client: Any, django_user_model: Any) -> Any:
    client.force_login(user_in(django_user_model, "admin", "Staff"))
    return client


def add_org(client: Any, url: str, slug: str = "acme", token: str = ORG_TOKEN, **fields: str) -> Any:
    data = {"slug": slug, "name": "Acme Corp", "api_url": url, "token": token, "_save": "Save", **fields}
    return client.post(ADD_URL, data)


def change_url(organization: Organization) -> str:
    return f"/admin/orgs/organization/{organization.pk}/change/"


# --- organizations in the admin ---------------------------------------------------------------------


def test_staff_add_an_organization_whose_token_is_stored_encrypted_and_read_by_its_pages(staff, fake, caplog):
    caplog.set_level(logging.DEBUG)

    response = add_org(staff, fake.url)

    assert response.status_code == 302
    organization = Organization.objects.get(slug="acme")
    assert ORG_TOKEN not in organization.token_ciphertext
    assert Fernet(OLD_KEY).decrypt(organization.token_ciphertext.encode()).decode() == ORG_TOKEN
    [org] = [org for org in organizations() if org.slug == "acme"]
    assert (org.name, org.url, org.origin, org.problem) == ("Acme Corp", fake.url, "admin", "")
    # Its pages read the fake API with that token (a wrong one would be a 401 there).
    page = staff.get("/o/acme/agents/")
    assert page.status_code == 200
    assert "Billing EN" in page.content.decode()
    assert fake.calls == 1
    event = AuditEvent.objects.get(action=AuditEvent.ORG_CREATED)
    assert event.username == "admin" and event.detail.startswith("acme (Acme Corp)")
    pages = [staff.get(change_url(organization)), staff.get("/admin/orgs/organization/"), page]
    pages.append(staff.get(f"/admin/orgs/organization/{organization.pk}/history/"))
    for shown in pages:
        assert ORG_TOKEN not in shown.content.decode()
    assert organization.token_ciphertext not in pages[0].content.decode()
    assert ORG_TOKEN not in "".join(AuditEvent.objects.values_list("detail", flat=True))
    assert caplog.records and ORG_TOKEN not in caplog.text


def test_the_change_page_never_shows_the_token_and_a_blank_one_keeps_it(staff, fake):
    add_org(staff, fake.url)
    organization = Organization.objects.get(slug="acme")
    stored = organization.token_ciphertext

    html = staff.get(change_url(organization)).content.decode()
    response = staff.post(
        change_url(organization), {"slug": "acme", "name": "Acme Inc", "api_url": fake.url, "token": "", "_save": "1"}
    )

    assert 'type="password"' in html and "A token is stored" in html
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "Acme Inc" and organization.token_ciphertext == stored
    assert staff.get("/o/acme/agents/").status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.ORG_CHANGED)
    assert event.detail == "acme (Acme Inc): changed Name"


def test_a_new_token_replaces_the_stored_one_and_the_audit_names_the_field_only(staff, fake):
    add_org(staff, fake.url)
    organization = Organization.objects.get(slug="acme")
    data = {"slug": "acme", "name": "Acme Corp", "api_url": fake.url, "token": "ocx_live_the_NEW_one", "_save": "1"}

    staff.post(change_url(organization), data)

    organization.refresh_from_db()
    assert encryption.decrypt(organization.token_ciphertext) == "ocx_live_the_NEW_one"
    event = AuditEvent.objects.get(action=AuditEvent.ORG_CHANGED)
    assert event.detail == "acme (Acme Corp): changed API token"


def test_the_api_url_changes_only_with_the_token_entered_again(staff, fake):
    add_org(staff, fake.url)
    organization = Organization.objects.get(slug="acme")
    elsewhere = {"slug": "acme", "name": "Acme Corp", "api_url": "https://collector.example", "_save": "1"}

    refused = staff.post(change_url(organization), {**elsewhere, "token": ""})
    allowed = staff.post(change_url(organization), {**elsewhere, "token": "ocx_live_for_there"})

    assert refused.status_code == 200 and "Enter the token again" in refused.content.decode()
    assert allowed.status_code == 302
    organization.refresh_from_db()
    assert organization.api_url == "https://collector.example"
    assert encryption.decrypt(organization.token_ciphertext) == "ocx_live_for_there"
    assert (
        AuditEvent.objects.get(action=AuditEvent.ORG_CHANGED).detail
        == "acme (Acme Corp): changed API base URL, API token"
    )


def test_a_new_organization_needs_a_token(staff, fake):
    response = add_org(staff, fake.url, token="")

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Organization.objects.exists()


def test_nothing_is_saved_without_org_token_keys_and_the_admin_says_so(staff, fake, settings):
    settings.ORG_TOKEN_KEYS = []

    response = add_org(staff, fake.url)
    changelist = staff.get("/admin/orgs/organization/").content.decode()

    assert response.status_code == 200
    assert "ORG_TOKEN_KEYS is not set" in response.content.decode()
    assert ORG_TOKEN not in response.content.decode()
    assert not Organization.objects.exists() and not AuditEvent.objects.filter(action=AuditEvent.ORG_CREATED).exists()
    assert "ORG_TOKEN_KEYS is not set" in changelist


@pytest.mark.parametrize("slug", ["Acme Corp", "-acme", "acme_1"])
def test_a_slug_that_cannot_be_a_url_is_refused(staff, fake, slug):
    response = add_org(staff, fake.url, slug=slug)

    assert response.status_code == 200
    assert "Lower-case letters, digits and dashes" in response.content.decode()
    assert not Organization.objects.exists()


def test_the_environments_organizations_are_listed_read_only_and_their_slugs_refused(staff, fake, settings):
    settings.OPENCX_ORGS = [
        {"slug": "prod", "name": "Production", "token": "ocx_env_token_never_shown", "url": fake.url}
    ]

    changelist = staff.get("/admin/orgs/organization/").content.decode()
    response = add_org(staff, fake.url, slug="prod")

    assert "Configured in the environment (OPENCX_ORGS), read-only here: Production (prod)" in changelist
    assert "ocx_env_token_never_shown" not in changelist
    assert response.status_code == 200
    assert "prod is the slug of an organization configured in the environment" in response.content.decode()
    assert not Organization.objects.exists()


def test_the_list_shows_whether_a_token_is_set_and_deleting_is_audited(staff, fake):
    add_org(staff, fake.url)
    organization = Organization.objects.get(slug="acme")
    Organization.objects.create(slug="empty", name="Empty")

    changelist = staff.get("/admin/orgs/organization/").content.decode()
    deleted = staff.post(f"/admin/orgs/organization/{organization.pk}/delete/", {"post": "yes"})

    assert changelist.count('alt="True"') == 1 and changelist.count('alt="False"') == 1
    assert fake.url in changelist
    assert deleted.status_code == 302
    assert [org.slug for org in organizations()] == ["empty"]
    assert AuditEvent.objects.get(action=AuditEvent.ORG_DELETED).detail == "acme (Acme Corp)"


def test_operators_and_viewers_cannot_reach_the_organizations_admin(client, django_user_model, fake):
    client.force_login(user_in(django_user_model, "op", "Operator"))

    assert client.get("/admin/orgs/organization/").status_code == 302  # to the admin's sign-in
    assert client.post(ADD_URL, {"slug": "x", "name": "X", "api_url": fake.url, "token": "t"}).status_code == 302
    assert not Organization.objects.exists()


# --- rotate_org_tokens -----------------------------------------------------------------------------


def test_rotate_org_tokens_re_encrypts_every_token_with_the_first_key(staff, fake, settings):
    add_org(staff, fake.url)
    add_org(staff, fake.url, slug="beta")
    settings.ORG_TOKEN_KEYS = [NEW_KEY, OLD_KEY]
    out = StringIO()

    call_command("rotate_org_tokens", stdout=out)

    assert "Re-encrypted 2 organization token(s)" in out.getvalue()
    assert ORG_TOKEN not in out.getvalue()
    settings.ORG_TOKEN_KEYS = [NEW_KEY]  # the old key dropped: everything still reads
    for organization in Organization.objects.all():
        assert Fernet(NEW_KEY).decrypt(organization.token_ciphertext.encode()).decode() == ORG_TOKEN
    forget_admin_orgs()
    assert {org.slug: org.problem for org in organizations()} == {"acme": "", "beta": ""}
    assert staff.get("/o/beta/agents/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.ORG_CHANGED, detail__contains="re-encrypted").count() == 2


def test_rotate_org_tokens_fails_and_changes_nothing_when_a_token_cannot_be_decrypted(staff, fake, settings):
    add_org(staff, fake.url)
    stored = Organization.objects.get().token_ciphertext
    settings.ORG_TOKEN_KEYS = [NEW_KEY]  # the old key lost

    with pytest.raises(CommandError) as failure:
        call_command("rotate_org_tokens", stdout=StringIO())

    assert "acme" in str(failure.value) and "ORG_TOKEN_KEYS" in str(failure.value)
    assert "No token was changed" in str(failure.value)
    assert Organization.objects.get().token_ciphertext == stored


def test_rotate_org_tokens_without_keys_says_to_set_them(db, settings):
    Organization.objects.create(slug="acme", name="Acme", token_ciphertext="gAAAA-anything")
    settings.ORG_TOKEN_KEYS = []

    with pytest.raises(CommandError, match="ORG_TOKEN_KEYS is not set"):
        call_command("rotate_org_tokens", stdout=StringIO())


# --- checks -----------------------------------------------------------------------------------------


def token_checks() -> list[Any]:
    return [
        message
        for message in run_checks(databases=["default"])
        if message.id in {"switchboard.W030", "switchboard.W031"}
    ]


def test_the_checks_are_quiet_when_every_stored_token_decrypts(staff, fake):
    add_org(staff, fake.url)

    assert token_checks() == []
    assert [m for m in run_checks() if m.id == "switchboard.W031"] == []  # no database given: not read


def test_stored_organizations_without_org_token_keys_are_a_warning(staff, fake, settings):
    add_org(staff, fake.url)
    settings.ORG_TOKEN_KEYS = []

    [warning] = token_checks()

    assert warning.id == "switchboard.W030" and not warning.is_serious()
    assert "ORG_TOKEN_KEYS is not set" in warning.msg and "acme" in warning.msg


def test_a_token_no_key_decrypts_is_a_warning_naming_the_organization(staff, fake, settings):
    add_org(staff, fake.url)
    settings.ORG_TOKEN_KEYS = [NEW_KEY]

    [error] = token_checks()

    # Not serious: it must not stop the `migrate` of the deploy that restores the key.
    assert error.id == "switchboard.W031" and not error.is_serious()
    assert "'acme'" in error.msg and "Restore the old key" in error.hint and "ORG_TOKEN_KEYS" in error.hint
    assert ORG_TOKEN not in str(error)
    assert Organization.objects.get().token_ciphertext not in str(error)


# --- organization roles on the user admin -----------------------------------------------------------


def form_data(response: Any) -> dict[str, Any]:
    """What a browser would post back from an admin change page as it was rendered: the main form
    and every inline formset (management form included)."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for field in form:
            if field.field.disabled:
                continue
            value = field.value()
            if isinstance(field.field.widget, MultiWidget):
                for number, part in enumerate(field.field.widget.decompress(value)):
                    data[f"{field.html_name}_{number}"] = "" if part is None else part
            elif isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


@pytest.fixture
def two_orgs(settings: Any) -> Iterator[None]:
    """Organizations a and b in the environment, each with its own fake API."""
    agents = [agent_record(id="a1", name="Billing EN", custom_llm=SECRET_LLM)]
    with FakeOpenCX(agents, token="token-a") as fake_a, FakeOpenCX(agents, token="token-b") as fake_b:
        settings.OPENCX_ORGS = [
            {"slug": "a", "name": "Org A", "token": "token-a", "url": fake_a.url},
            {"slug": "b", "name": "Org B", "token": "token-b", "url": fake_b.url},
        ]
        yield


def grant(staff: Any, person: Any, **fields: str) -> Any:
    """Posts the person's change page back with `fields` (org_grants-N-org, -role, -DELETE) set."""
    url = f"/admin/auth/user/{person.pk}/change/"
    data = form_data(staff.get(url))
    data.update(fields)
    highest = max(int(name.split("-")[1]) for name in fields)
    data["org_grants-TOTAL_FORMS"] = str(max(int(data["org_grants-TOTAL_FORMS"]), highest + 1))
    return staff.post(url, data)


def test_organization_roles_granted_in_the_user_admin_take_effect_and_are_audited(
    staff, django_user_model, client, two_orgs
):
    person = user_in(django_user_model, "alice", "Viewer")

    response = grant(
        staff,
        person,
        **{
            "org_grants-0-org": "a",
            "org_grants-0-role": "Viewer",
            "org_grants-1-org": "b",
            "org_grants-1-role": "Operator",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert dict(OrgGrant.objects.filter(user=person).values_list("org", "role")) == {"a": "Viewer", "b": "Operator"}
    granted = AuditEvent.objects.filter(action=AuditEvent.ORG_ROLE_GRANTED).order_by("id")
    assert [(event.username, event.detail) for event in granted] == [
        ("admin", "alice: Viewer in a"),
        ("admin", "alice: Operator in b"),
    ]
    client.force_login(person)
    viewer_page = client.get("/o/a/agents/?columns=name,custom_llm").content.decode()
    assert "Billing EN" in viewer_page and SECRET_LLM not in viewer_page and "hidden-value" in viewer_page
    assert client.get("/o/a/agents/?_export=csv").status_code == 403
    export = client.get("/o/b/agents/?_export=csv&columns=name,custom_llm")
    assert export.status_code == 200 and SECRET_LLM in export.getvalue().decode()


def test_changing_and_removing_an_organization_role_is_audited(staff, django_user_model, two_orgs):
    person = user_in(django_user_model, "alice", "Viewer")
    OrgGrant.objects.create(user=person, org="a", role="Viewer")
    OrgGrant.objects.create(user=person, org="b", role="Operator")

    response = grant(staff, person, **{"org_grants-0-role": "Operator", "org_grants-1-DELETE": "on"})

    assert response.status_code == 302
    assert dict(OrgGrant.objects.filter(user=person).values_list("org", "role")) == {"a": "Operator"}
    assert AuditEvent.objects.get(action=AuditEvent.ORG_ROLE_CHANGED).detail == "alice: Viewer in a -> Operator in a"
    assert AuditEvent.objects.get(action=AuditEvent.ORG_ROLE_REMOVED).detail == "alice: no longer Operator in b"


def test_an_organization_role_is_picked_from_the_configured_organizations(staff, django_user_model, two_orgs):
    person = user_in(django_user_model, "alice", "Viewer")

    html = staff.get(f"/admin/auth/user/{person.pk}/change/").content.decode()
    response = grant(staff, person, **{"org_grants-0-org": "nowhere", "org_grants-0-role": "Viewer"})

    assert "Org A (a)" in html and "Org B (b)" in html
    assert response.status_code == 200
    assert not OrgGrant.objects.exists()


def test_staff_cannot_grant_an_organization_role_beyond_what_they_hold(client, django_user_model, two_orgs):
    from django.contrib.auth.models import Permission

    # Allowed into the admin and to edit users and their organization roles, but not an operator.
    clerk = user_in(django_user_model, "clerk")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user", "add_orggrant", "view_orggrant"])
    )
    person = user_in(django_user_model, "alice", "Viewer")
    client.force_login(clerk)

    refused = grant(client, person, **{"org_grants-0-org": "b", "org_grants-0-role": "Operator"})
    allowed = grant(client, person, **{"org_grants-0-org": "a", "org_grants-0-role": "Viewer"})

    assert refused.status_code == 200
    assert "You can only grant permissions you hold yourself" in refused.content.decode()
    assert allowed.status_code == 302
    assert list(OrgGrant.objects.values_list("org", "role")) == [("a", "Viewer")]
    # Their own account too: no role beyond what they hold.
    assert grant(client, clerk, **{"org_grants-0-org": "b", "org_grants-0-role": "Operator"}).status_code == 200
    assert not OrgGrant.objects.filter(user=clerk).exists()
