"""Start-up configuration from the environment."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Starts Django in a fresh interpreter with only the given variables set, and runs the start-up checks."""
    environment = {"PATH": os.environ["PATH"], "DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "from dashboard.checks import stop_on_errors; stop_on_errors(); "
            "print(settings.DEMO_MODE, settings.OPENCX_CACHE_TTL, settings.OPENCX_API_URL)",
        ],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "dashboard.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def manage(tmp_path, *arguments: str, **env: str) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ["PATH"], "DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_starts_with_nothing_configured_in_demo_mode(tmp_path):
    result = start(tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "60", "https://api.open.cx"]


def test_a_token_turns_demo_mode_off(tmp_path):
    result = start(tmp_path, OPENCX_API_TOKEN="ocx_live_x", OPENCX_API_URL="http://127.0.0.1:9/", OPENCX_CACHE_TTL="5")

    assert result.stdout.split() == ["False", "5.0", "http://127.0.0.1:9"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "example.com"}, "SECRET_KEY is not set"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS is not set"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"OPENCX_CACHE_TTL": "soon"}, "OPENCX_CACHE_TTL='soon' is not a number"),
        ({"OPENCX_TIMEOUT": "0"}, "OPENCX_TIMEOUT='0' must be at least 0.1"),
        ({"DEMO_AGENTS": "1.5"}, "DEMO_AGENTS='1.5' is not a whole number"),
    ],
)
def test_bad_configuration_stops_start_up_naming_the_variable(tmp_path, env, message):
    served = start(tmp_path, **env)  # as the WSGI start runs them
    checked = manage(tmp_path, "check", **env)
    migrated = manage(tmp_path, "migrate", **env)

    for result in (served, checked, migrated):
        assert result.returncode != 0
        assert message in result.stderr


def test_loading_the_settings_writes_no_file(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    result = subprocess.run(
        [sys.executable, "-c", "import dashboard.settings"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert list(data_dir.iterdir()) == []


def test_a_missing_data_directory_is_named(tmp_path):
    result = manage(tmp_path / "nowhere", "check")

    assert result.returncode != 0
    assert "DATA_DIR" in result.stderr and "does not exist" in result.stderr


def production_env(data_dir: Path) -> dict[str, str]:
    """The environment of a production start: DEBUG off, a secret key, a host name and a token."""
    return {
        "PATH": os.environ["PATH"],
        "DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "switchboard.example.com",
        "OPENCX_API_TOKEN": "ocx_live_settings_test",
        "OPENCX_API_URL": "http://127.0.0.1:9",
    }


def test_production_settings_start_with_a_key_hosts_and_a_token(tmp_path):
    result = start(tmp_path, **production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"  # not demo mode


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = production_env(tmp_path)

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_responses_carry_the_security_headers(tmp_path):
    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "dashboard.settings"}
    script = (
        "import json, django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0); call_command('collectstatic', '--noinput', verbosity=0)\n"
        "from django.test import Client\n"
        "response = Client(HTTP_HOST='switchboard.example.com').get('/login/', secure=True)\n"
        "cookie = response.cookies['csrftoken']\n"
        "print(json.dumps({'status': response.status_code, 'csrf-cookie-secure': cookie['secure'],"
        " **dict(response.headers)}))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["csrf-cookie-secure"] is True
