"""What Switchboard keeps in its own database: preferences and the fleet's change history.

The current snapshot itself lives in the shared cache, not here."""

from django.conf import settings
from django.db import models

from dashboard.history.encoding import StorableJSON


class ColumnPreference(models.Model):
    """The agent-list columns a person chose, remembered across visits."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="column_preference")
    columns = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {', '.join(self.columns)}"


class FleetRevision(models.Model):
    """A snapshot that differed from the one recorded before it (or the first one: the baseline)."""

    recorded_at = models.DateTimeField(db_index=True, help_text="When the snapshot was read from OpenCX.")
    source = models.TextField()
    agents = models.PositiveIntegerField(help_text="Agents in the fleet at that moment.")
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    # The first recording holds every agent as its starting point: no agent was "added" by it.
    baseline = models.BooleanField(default=False)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recorded_at:%Y-%m-%d %H:%M:%S} UTC: +{self.added} −{self.removed} ~{self.changed}"


class AgentChange(models.Model):
    """One agent added, removed or changed in a revision, with the values before and after."""

    ADDED, REMOVED, CHANGED = "added", "removed", "changed"
    KINDS = [(ADDED, "Added"), (REMOVED, "Removed"), (CHANGED, "Changed")]

    revision = models.ForeignKey(FleetRevision, on_delete=models.CASCADE, related_name="changes")
    recorded_at = models.DateTimeField()  # the revision's, here too so the Changes page needs no join
    agent_id = models.TextField()
    name = models.TextField(blank=True, help_text="The agent's name at that moment.")
    kind = models.CharField(max_length=8, choices=KINDS)
    # Upstream field names, space-separated and padded (" model voice_id "), so "changed this
    # field" is a plain `contains` that SQLite and PostgreSQL both answer (SQLite has no JSON
    # containment lookup).
    fields = models.TextField(blank=True)
    # {field: value} before and after: the changed fields only; the whole record when the agent
    # was removed (before) or added (after).
    before = models.JSONField(null=True, encoder=StorableJSON)
    after = models.JSONField(null=True, encoder=StorableJSON)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["recorded_at"], name="change_recorded_at"),
            models.Index(fields=["agent_id", "recorded_at"], name="change_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.kind} at {self.recorded_at:%Y-%m-%d %H:%M:%S}"

    @property
    def field_names(self) -> list[str]:
        return self.fields.split()


class AgentState(models.Model):
    """The newest recorded content of every agent in the fleet: what the next snapshot is compared to."""

    agent_id = models.TextField(primary_key=True)
    content_hash = models.CharField(max_length=32)
    record = models.JSONField(encoder=StorableJSON)

    def __str__(self) -> str:
        return self.agent_id


class DashboardAccess(models.Model):
    """Carries the dashboard's own permissions, which the role groups are made of; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_sensitive", "See fields marked sensitive"),
            ("refresh_agents", "Read OpenCX now (Refresh)"),
            ("export_agents", "Export agent lists"),
            ("share_views", "Create and revoke share links"),
            ("staff_tools", "Use the admin and see the upstream status"),
        ]

    def __str__(self) -> str:
        return "dashboard access"


class AuditEvent(models.Model):
    """Something security-relevant that happened: sign-ins, failed sign-ins, share links, exports."""

    SIGN_IN, SIGN_IN_FAILED, SIGN_IN_REFUSED = "sign-in", "sign-in-failed", "sign-in-refused"
    SHARE_CREATED, SHARE_REVOKED, EXPORT = "share-created", "share-revoked", "export"
    ACTIONS = [
        (SIGN_IN, "Signed in"),
        (SIGN_IN_FAILED, "Sign-in failed"),
        (SIGN_IN_REFUSED, "Sign-in refused (locked out)"),
        (SHARE_CREATED, "Share link created"),
        (SHARE_REVOKED, "Share link revoked"),
        (EXPORT, "Export"),
    ]

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=20, choices=ACTIONS, db_index=True)
    # The name as typed for failed sign-ins, so attempts on unknown accounts show too.
    username = models.CharField(max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.username}"


class ShareLink(models.Model):
    """A read-only view of the list or of one agent, opened without an account until it expires."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What is shared: the agent list's query string, or one agent's id.
    agent_id = models.TextField(blank=True)
    query = models.TextField(blank=True)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
