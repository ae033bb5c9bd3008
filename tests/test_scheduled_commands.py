"""The commands the timer runs: refresh_agents (fails loudly, --quiet for cron) and housekeeping."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dashboard.access.models import AuditEvent
from dashboard.history import receivers
from dashboard.history.models import FleetRevision
from tests.conftest import agent_record

pytestmark = pytest.mark.django_db


def run(command, *arguments):
    out = StringIO()
    call_command(command, *arguments, stdout=out)
    return out.getvalue()


def test_refresh_agents_quiet_prints_nothing_when_all_is_well(upstream, history):
    assert run("refresh_agents", "--quiet") == ""
    assert FleetRevision.objects.count() == 1


def test_refresh_agents_fails_with_a_one_line_reason_when_recording_fails(upstream, history, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(receivers, "record_snapshot", broken)

    with pytest.raises(CommandError) as failed:
        run("refresh_agents", "--quiet")

    message = str(failed.value)
    assert message.startswith("Read 30 agents, but recording them failed: ")
    assert "disk full" in message and "\n" not in message


def test_refresh_agents_fails_when_opencx_cannot_be_read_quiet_or_not(upstream):
    upstream.fault = "503"

    with pytest.raises(CommandError, match=r"^Refreshing agents failed: The OpenCX API failed with HTTP 503"):
        run("refresh_agents", "--quiet")


def aged(model, days, **fields):
    """A row of `model` made `days` ago (the field holding its time is set after creation)."""
    row = model.objects.create(**fields)
    time_field = "at" if model is AuditEvent else "attempt_time"
    model.objects.filter(pk=row.pk).update(**{time_field: timezone.now() - timedelta(days=days)})
    return row


def test_housekeeping_deletes_expired_sessions_old_audit_events_and_old_sign_in_logs(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    expired, current = SessionStore(), SessionStore()
    expired.set_expiry(-60)
    expired.create()
    current.create()
    old_event, new_event = (
        aged(AuditEvent, 31, action=AuditEvent.SIGN_IN),
        aged(AuditEvent, 29, action=AuditEvent.SIGN_IN),
    )
    old_log, new_log = aged(AccessLog, 40, username="ops"), aged(AccessLog, 1, username="ops")
    old_failure = aged(AccessFailureLog, 40, username="ops", locked_out=False)
    aged(AccessAttempt, 1, username="ops", failures_since_start=3)

    said = run("housekeeping")

    assert list(Session.objects.values_list("session_key", flat=True)) == [current.session_key]
    assert list(AuditEvent.objects.all()) == [new_event]
    assert list(AccessLog.objects.all()) == [new_log]
    assert not AccessFailureLog.objects.filter(pk=old_failure.pk).exists()
    assert not AccessAttempt.objects.exists()  # its lockout period is long over
    assert said == ("Deleted 1 expired sessions, 1 audit events, 2 sign-in logs, 1 expired lockout counts.\n")
    assert old_event.pk != new_event.pk and old_log.pk != new_log.pk


def test_housekeeping_keeps_audit_events_when_retention_is_zero_and_can_be_quiet(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    aged(AuditEvent, 4000, action=AuditEvent.SIGN_IN)

    assert run("housekeeping", "--quiet") == ""
    assert AuditEvent.objects.count() == 1


def test_housekeeping_prunes_history_older_than_its_retention(upstream, history, settings, clock):
    upstream.set_agents([agent_record(id="a")])
    run("refresh_agents")
    clock.shift(86400 * 100)

    said = run("housekeeping")

    assert said.endswith(", 0 recorded changes.\n")  # a baseline has no change rows ...
    assert FleetRevision.objects.count() == 0  # ... but its revision is past HISTORY_RETENTION_DAYS
