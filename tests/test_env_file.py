"""One env file for everything (ENV_FILE, systemd's format), and rotating the secret key."""

import re
from pathlib import Path

import pytest

from dashboard.access.sharing import create_share, share_url
from dashboard.demo.upstream import DEMO_ORGS
from dashboard.environment import EnvFileError, parse_env_file
from tests.test_settings import manage, production_env, start


def test_an_env_file_reads_as_systemd_reads_it():
    text = (
        "# a comment\n"
        "; another\n"
        "\n"
        "PLAIN=value with  inner  spaces  \n"
        "  SPACED = around the equals\n"
        "SINGLE='  kept $HOME \\n as is '\n"
        'DOUBLE="a \\"quote\\", a \\\\ and \\$HOME"\n'
        "JOINED=first \\\n"
        "second\n"
        'MULTI="line one\n'
        'line two"\n'
        "ESCAPED=a\\#b\n"
        "EMPTY=\n"
    )

    assert parse_env_file(text) == {
        "PLAIN": "value with  inner  spaces",
        "SPACED": "around the equals",
        "SINGLE": "  kept $HOME \\n as is ",
        "DOUBLE": 'a "quote", a \\ and $HOME',
        "JOINED": "first second",
        "MULTI": "line one\nline two",
        "ESCAPED": "a#b",
        "EMPTY": "",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A=1\nexport B=2\n", "line 2: 'export B' is not a variable name"),
        ("A=1\nnot an assignment\n", "line 2 is not KEY=value"),
        ("A='never closed\n", "line 1: the ' quote is never closed"),
        ('A="x" trailing\n', 'line 1: text after the closing " quote'),
    ],
)
def test_a_line_that_is_not_an_assignment_is_named(text, message):
    with pytest.raises(EnvFileError, match=message):
        parse_env_file(text)


def test_the_settings_read_the_env_file_and_the_process_environment_wins(tmp_path):
    env_file = tmp_path / "switchboard.env"
    settings = production_env(tmp_path)
    env_file.write_text(
        "".join(f"{name}={value}\n" for name, value in settings.items() if name != "PATH") + "OPENCX_CACHE_TTL=5\n"
    )

    from_file = start(tmp_path, ENV_FILE=str(env_file))
    overridden = start(tmp_path, ENV_FILE=str(env_file), OPENCX_CACHE_TTL="7")

    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout.split() == ["False", "5.0", "http://127.0.0.1:9"]
    assert overridden.stdout.split() == ["False", "7.0", "http://127.0.0.1:9"]


def test_an_env_file_that_cannot_be_read_stops_every_command_naming_it(tmp_path):
    missing = tmp_path / "nowhere.env"
    broken = tmp_path / "broken.env"
    broken.write_text("DEBUG=0\nexport SECRET_KEY=x\n")

    for path, why in ((missing, "cannot be read"), (broken, "line 2")):
        result = manage(tmp_path, "migrate", ENV_FILE=str(path))
        assert result.returncode != 0
        assert f"ENV_FILE='{path}'" in result.stderr and why in result.stderr


@pytest.mark.django_db
def test_share_links_and_sessions_survive_a_key_rotation_with_the_old_key_as_fallback(client, settings, user):
    settings.SECRET_KEY = "old-" + "k" * 50
    link = create_share(user=user, org=DEMO_ORGS[0], query="q=billing", title="Agent list")
    url = share_url(link)
    client.force_login(user)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-" + "n" * 50, ["old-" + "k" * 50]
    still_signed_in = client.get("/shares/")
    still_opens = client.get(url)

    assert still_signed_in.status_code == 200
    assert still_opens.status_code != 404

    settings.SECRET_KEY_FALLBACKS = []  # the old key dropped: links it signed no longer open ...
    assert client.get(url).status_code == 404
    assert client.get("/shares/").status_code == 200  # ... a session used meanwhile moved to the new key


def test_the_example_env_file_reads_and_names_only_documented_variables():
    root = Path(__file__).resolve().parent.parent
    example = (root / "deploy" / "switchboard.env.example").read_text()
    commented = [line[1:].split("=", 1)[0] for line in example.splitlines() if re.match(r"#[A-Z_]+=", line)]
    readme = (root / "README.md").read_text()

    values = parse_env_file(example)

    assert values["DEBUG"] == "0" and values["LOG_FORMAT"] == "json"
    assert [name for name in [*values, *commented] if f"| `{name}` |" not in readme] == []
