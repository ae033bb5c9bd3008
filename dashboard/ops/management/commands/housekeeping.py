"""`manage.py housekeeping`: delete what is kept only for a while. Run by the same timer as
`refresh_agents` (see deploy/), or from cron.

* expired sessions;
* audit events older than AUDIT_RETENTION_DAYS (0 keeps them);
* django-axes' sign-in logs (successful and failed sign-ins) older than AUDIT_RETENTION_DAYS,
  and its expired lockout counts;
* recorded changes older than HISTORY_RETENTION_DAYS (a recording does this too, but only when
  something changed).
"""

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dashboard.access.models import AuditEvent
from dashboard.history.record import prune


class Command(BaseCommand):
    help = "Deletes expired sessions, old audit events, old sign-in logs and expired history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing unless it fails (for cron).")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        now = timezone.now()
        deleted = {"expired sessions": Session.objects.filter(expire_date__lt=now).delete()[0]}
        if settings.AUDIT_RETENTION_DAYS:
            cutoff = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
            deleted["audit events"] = AuditEvent.objects.filter(at__lt=cutoff).delete()[0]
            deleted["sign-in logs"] = (
                AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
                + AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
            )
        deleted["expired lockout counts"] = AccessAttempt.objects.filter(
            attempt_time__lt=now - settings.AXES_COOLOFF_TIME
        ).delete()[0]
        if settings.HISTORY_RETENTION_DAYS:
            deleted["recorded changes"] = prune(now=now)
        if not quiet:
            self.stdout.write("Deleted " + ", ".join(f"{count} {what}" for what, count in deleted.items()) + ".")
