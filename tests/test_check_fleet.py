"""`manage.py check_fleet`: prints the findings and fails CI or a cron alert on the chosen severity."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import agent_record

CLEAN = agent_record(id="clean", updated_at="2099-01-01T00:00:00Z")
BROKEN = agent_record(id="broken", name="Outbound no number", type="outbound", phone_number=None)


def check_fleet(*arguments):
    """(exit status, output) as a shell would see them."""
    out = StringIO()
    try:
        call_command("check_fleet", *arguments, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_it_exits_1_on_a_fleet_with_an_error_finding(upstream):
    upstream.set_agents([CLEAN, BROKEN])

    status, output = check_fleet("--fail-on", "error")

    assert status == 1
    assert "error   outbound-without-number (1)" in output and "Outbound no number [broken]" in output
    assert "failing" in output.splitlines()[-1]


def test_it_exits_0_on_a_clean_fleet_and_with_fail_on_never(upstream):
    upstream.set_agents([CLEAN])
    assert check_fleet("--fail-on", "error")[0] == 0
    assert check_fleet("--fail-on", "info")[0] == 0

    upstream.set_agents([CLEAN, BROKEN])
    assert check_fleet("--fail-on", "never")[0] == 0


@pytest.mark.parametrize(("fail_on", "status"), [("error", 0), ("warning", 1), ("info", 1)])
def test_a_warning_fails_only_from_warning_down(upstream, fail_on, status):
    upstream.set_agents(
        [agent_record(id="w", updated_at="2099-01-01T00:00:00Z", failover_transfer_destination_id=None)]
    )

    assert check_fleet("--fail-on", fail_on)[0] == status


def test_json_output_for_scripts(upstream):
    upstream.set_agents([CLEAN, BROKEN])

    status, output = check_fleet("--fail-on", "error", "--format", "json")
    report = json.loads(output)

    assert status == 1 and report["failed"] is True and report["fail_on"] == "error"
    found = {finding["id"]: finding for finding in report["findings"]}
    assert found["outbound-without-number"]["agents"] == [{"id": "broken", "name": "Outbound no number"}]
    assert report["fetched_at"].endswith("Z")


def test_it_says_so_and_exits_2_when_opencx_cannot_be_read(upstream):
    upstream.fault = "401"

    with pytest.raises(CommandError, match="Could not read the agents") as raised:
        call_command("check_fleet", stdout=StringIO())

    assert raised.value.returncode == 2
