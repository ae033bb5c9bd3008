"""Demo mode only where asked: production without a token stops, and the demo account never outlives demo mode."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.checks import Tags, run_checks

from dashboard.access.models import ShareLink
from dashboard.access.sharing import create_share
from dashboard.demo.accounts import DEMO_EMAIL, sync_demo_account
from dashboard.demo.upstream import DEMO_ORGS
from tests.test_settings import ROOT, manage, production_env, start

WAYS_OUT = ("OPENCX_API_TOKEN", "DEMO_MODE=1")


def without_token(data_dir):
    env = production_env(data_dir)
    del env["OPENCX_API_TOKEN"]
    return env


def demo_accounts(database) -> list[str]:
    if not database.exists():
        return []
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "auth_user" not in tables:
            return []
        return [row[0] for row in connection.execute("SELECT username FROM auth_user WHERE username = 'demo'")]


def test_production_without_a_token_stops_the_server_migrate_refresh_agents_and_other_commands(tmp_path):
    env = without_token(tmp_path)

    served = subprocess.run(  # gunicorn loading the app, as its workers do before serving
        [str(Path(sys.executable).parent / "gunicorn"), "--check-config", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    migrated = manage(tmp_path, "migrate", **env)
    refreshed = manage(tmp_path, "refresh_agents", **env)
    shell = manage(tmp_path, "shell", "-c", "print('ran')", **env)  # a command that skips the checks

    for result in (served, migrated, refreshed, shell):
        assert result.returncode != 0
        assert all(way in result.stderr for way in WAYS_OUT), result.stderr
    assert "ran" not in shell.stdout
    assert demo_accounts(tmp_path / "switchboard.sqlite3") == []


def test_demo_mode_with_debug_off_is_a_public_demo_on_purpose(tmp_path):
    result = start(tmp_path, **without_token(tmp_path), DEMO_MODE="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def test_demo_mode_and_a_token_together_are_refused(tmp_path):
    result = start(tmp_path, **production_env(tmp_path), DEMO_MODE="1")

    assert result.returncode != 0
    assert "DEMO_MODE=1 and OPENCX_API_TOKEN are both set" in result.stderr


@pytest.mark.django_db
def test_migrating_outside_demo_mode_deletes_the_demo_account_and_its_share_links(settings):
    settings.DEMO_MODE = True
    sync_demo_account()
    demo = get_user_model().objects.get(username="demo")
    create_share(user=demo, org=DEMO_ORGS[0], query="q=billing", title="Agent list")

    settings.DEMO_MODE = False
    sync_demo_account()  # what `migrate` runs after migrating

    assert not get_user_model().objects.filter(email=DEMO_EMAIL).exists()
    assert not ShareLink.objects.exists()


def demo_password_errors() -> list[str]:
    """What the deployment checks (`check --deploy`, the WSGI start) say about the demo password."""
    found = run_checks(include_deployment_checks=True, tags=[Tags.security])
    return [f"{message.msg} {message.hint}" for message in found if message.id == "switchboard.E021"]


@pytest.mark.django_db
def test_production_refuses_to_serve_while_an_active_account_has_the_demo_password(settings):
    settings.DEMO_MODE = True
    sync_demo_account()  # a database that once ran the demo ...
    settings.DEMO_MODE = False  # ... now with a token, not migrated since

    errors = demo_password_errors()
    sync_demo_account()

    assert len(errors) == 1 and "'demo' is active and signs in with the demo password" in errors[0]
    assert demo_password_errors() == []  # once migrate has run


@pytest.mark.django_db
def test_any_account_called_demo_with_the_demo_password_is_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    get_user_model().objects.filter(username="demo").delete()
    user = get_user_model().objects.create_user("Demo", "ops@example.com", "demo")

    errors = demo_password_errors()
    user.set_password("a strong passphrase")
    user.save()

    assert len(errors) == 1 and "manage.py changepassword Demo" in errors[0]
    assert demo_password_errors() == []
