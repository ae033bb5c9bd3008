"""Sign-in limits behind a proxy: per account and address together, per address across accounts,
the client's address from TRUSTED_PROXIES, and lockouts staff see and lift in the admin."""

import pytest
from django.contrib.auth.models import Group, Permission

from dashboard.access.models import AuditEvent
from tests.conftest import user_in

PASSWORD = "correct horse battery"
PROXY = "10.0.0.2"
ALICE, MALLORY = "203.0.113.7", "198.51.100.9"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def behind_a_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.AXES_FAILURE_LIMIT = 5
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8


def sign_in(client, username, password, client_address):
    """Through the proxy, which forwards the client's address; True when signed in (then signed out)."""
    response = client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address
    )
    signed_in = response.status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    return signed_in, response


@pytest.fixture
def accounts(django_user_model):
    return [user_in(django_user_model, name, "Viewer") for name in ("ann", "bob", "cat", "dan", "eve", "ops")]


def test_wrong_passwords_for_five_accounts_from_one_address_do_not_stop_another_address(client, accounts):
    for account in accounts[:5]:
        assert not sign_in(client, account.username, "wrong", MALLORY)[0]

    for account in accounts[:5]:
        assert sign_in(client, account.username, PASSWORD, ALICE)[0]


def test_the_sixth_wrong_password_for_one_account_from_one_address_is_refused_there_only(client, accounts):
    for _ in range(5):
        sign_in(client, "ops", "wrong", MALLORY)

    refused, response = sign_in(client, "ops", PASSWORD, MALLORY)

    assert not refused and response.status_code == 429
    assert b"refused without checking the password" in response.content
    assert sign_in(client, "ops", PASSWORD, ALICE)[0]  # the account itself is not locked for everyone
    assert AuditEvent.objects.filter(action=AuditEvent.SIGN_IN_REFUSED, ip_address=MALLORY).count() == 1


def test_failures_across_accounts_from_one_address_stay_limited_with_successful_sign_ins_between(client, accounts):
    victims = [account.username for account in accounts[:5]]
    for wrong in range(8):  # SIGN_IN_ADDRESS_FAILURE_LIMIT, spread over accounts, each below its own limit
        if wrong:
            assert sign_in(client, "ops", PASSWORD, MALLORY)[0]  # their own account: it resets nothing else
        assert not sign_in(client, victims[wrong % len(victims)], "wrong", MALLORY)[0]

    refused, response = sign_in(client, "ops", PASSWORD, MALLORY)

    assert not refused and response.status_code == 429
    assert sign_in(client, "ops", PASSWORD, ALICE)[0]


def test_the_audit_log_records_the_address_the_trusted_proxy_forwarded(client, accounts):
    client.post(
        "/login/",
        {"username": "ops", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"192.0.2.99, {ALICE}",  # the client wrote the first, the proxy added the second
    )

    assert AuditEvent.objects.get().ip_address == ALICE


def test_a_forwarded_address_from_a_client_that_is_not_a_trusted_proxy_is_ignored(client, accounts):
    client.post("/login/", {"username": "ops", "password": "wrong"}, REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=ALICE)

    assert AuditEvent.objects.get().ip_address == MALLORY


def test_without_trusted_proxies_the_client_is_the_connecting_address(client, accounts, settings):
    settings.TRUSTED_PROXIES = []
    client.post("/login/", {"username": "ops", "password": "wrong"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE)

    assert AuditEvent.objects.get().ip_address == PROXY


@pytest.fixture
def staff(client, django_user_model):
    user = user_in(django_user_model, "admin", "Staff")
    return user


def test_staff_see_a_lockout_in_the_admin_and_lift_it(client, accounts, staff):
    for _ in range(5):
        sign_in(client, "ops", "wrong", MALLORY)
    client.force_login(staff)

    listed = client.get("/admin/axes/accessattempt/")
    attempt = listed.context["cl"].result_list[0]
    lifted = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    client.logout()

    assert listed.status_code == 200 and b"ops" in listed.content and MALLORY.encode() in listed.content
    assert lifted.status_code == 302
    assert sign_in(client, "ops", PASSWORD, MALLORY)[0]


def user_form(user, **changes):
    """The admin's change form for `user`, as the browser posts it."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [permission.pk for permission in user.user_permissions.all()],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        # The organization roles inline (tests/test_org_admin.py), posted with none.
        "org_grants-TOTAL_FORMS": "0",
        "org_grants-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


def test_staff_cannot_make_themselves_superuser(client, staff):
    client.force_login(staff)

    response = client.post(f"/admin/auth/user/{staff.pk}/change/", user_form(staff, is_superuser="on"))

    staff.refresh_from_db()
    assert response.status_code == 302  # the rest of the form saved; the flag is not theirs to set
    assert not staff.is_superuser


def test_staff_cannot_grant_a_permission_they_do_not_hold(client, staff, accounts):
    client.force_login(staff)
    viewer = accounts[0]
    foreign = Permission.objects.get(codename="add_permission")

    response = client.post(f"/admin/auth/user/{viewer.pk}/change/", user_form(viewer, user_permissions=[foreign.pk]))
    regrouped = client.post(
        f"/admin/auth/group/{Group.objects.get(name='Operator').pk}/change/",
        {"name": "Operator", "permissions": [foreign.pk]},
    )

    assert response.status_code == 200
    assert (
        "You can only grant permissions you hold yourself; not held: auth.add_permission." in response.content.decode()
    )
    assert "not held: auth.add_permission" in regrouped.content.decode()
    assert not viewer.user_permissions.exists()
    assert not Group.objects.get(name="Operator").permissions.filter(pk=foreign.pk).exists()


def test_staff_may_grant_a_role_they_hold(client, staff, accounts):
    client.force_login(staff)
    viewer = accounts[0]

    response = client.post(
        f"/admin/auth/user/{viewer.pk}/change/", user_form(viewer, groups=[Group.objects.get(name="Operator").pk])
    )

    assert response.status_code == 302
    assert list(viewer.groups.values_list("name", flat=True)) == ["Operator"]


def test_staff_cannot_change_a_superusers_account(client, staff, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "another passphrase")
    client.force_login(staff)

    changed = client.post(f"/admin/auth/user/{boss.pk}/change/", user_form(boss, email="evil@example.com"))
    password = client.post(
        f"/admin/auth/user/{boss.pk}/password/", {"password1": "Takeover-12345", "password2": "Takeover-12345"}
    )

    boss.refresh_from_db()
    assert changed.status_code == 403 and password.status_code == 403
    assert boss.email == "boss@example.com" and boss.check_password("another passphrase")
