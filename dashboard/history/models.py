"""The fleet's change history. The tables keep the names they had before this app was split out."""

from django.db import models

from dashboard.orgs.registry import DEFAULT_SLUG

from .encoding import StorableJSON

# Each organization's history is its own: its slug on every row ("default": a single-organization
# deployment's, and every row recorded before there were several).
ORG = {"max_length": 50, "default": DEFAULT_SLUG, "db_index": True}


class FleetRevision(models.Model):
    """A snapshot that differed from the one recorded before it (or the first one: the baseline)."""

    org = models.CharField("organization", **ORG)
    recorded_at = models.DateTimeField(db_index=True, help_text="When the snapshot was read from OpenCX.")
    source = models.TextField()
    agents = models.PositiveIntegerField(help_text="Agents in the fleet at that moment.")
    added = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    # The first recording holds every agent as its starting point: no agent was "added" by it.
    baseline = models.BooleanField(default=False)

    class Meta:
        db_table = "dashboard_fleetrevision"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recorded_at:%Y-%m-%d %H:%M:%S} UTC: +{self.added} −{self.removed} ~{self.changed}"


class AgentChange(models.Model):
    """One agent added, removed or changed in a revision, with the values before and after."""

    ADDED, REMOVED, CHANGED = "added", "removed", "changed"
    KINDS = [(ADDED, "Added"), (REMOVED, "Removed"), (CHANGED, "Changed")]

    revision = models.ForeignKey(FleetRevision, on_delete=models.CASCADE, related_name="changes")
    org = models.CharField("organization", **ORG)  # the revision's, here too so no page needs a join
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
        db_table = "dashboard_agentchange"
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
    """The newest recorded content of every agent of each organization: what its next snapshot is compared to."""

    org = models.CharField("organization", max_length=50, default=DEFAULT_SLUG)
    agent_id = models.TextField()
    content_hash = models.CharField(max_length=32)
    record = models.JSONField(encoder=StorableJSON)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "agent_id"], name="one_state_per_org_agent")]

    def __str__(self) -> str:
        return f"{self.org}/{self.agent_id}"
