"""Digest subscriptions, the findings already seen, and each delivery with its attempts."""

from django.conf import settings
from django.db import models

from dashboard.orgs.registry import DEFAULT_SLUG


class Subscription(models.Model):
    DAILY, AFTER_REFRESH = "daily", "refresh"
    FREQUENCIES = [(DAILY, "Daily"), (AFTER_REFRESH, "Right after a refresh that found some")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscriptions")
    # The organization whose changes and findings it sends (its slug): the one it was made in.
    org = models.CharField("organization", max_length=50, default=DEFAULT_SLUG)
    name = models.CharField(max_length=100)
    frequency = models.CharField(max_length=8, choices=FREQUENCIES, default=DAILY)
    changes = models.BooleanField(default=True, help_text="Agents added, removed or changed.")
    findings = models.BooleanField(default=True, help_text="Findings that were not there before.")
    # The query string of a saved agent list: only its agents (removed agents are always listed).
    list_query = models.TextField(blank=True)
    email = models.BooleanField(default=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Everything recorded up to this moment has been put in a digest (or found empty).
    covered_until = models.DateTimeField()

    class Meta:
        ordering = ["user_id", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_frequency_display().lower()})"


class FindingState(models.Model):
    """A finding (rule, agent) in force, and when it was first seen: what makes a finding new."""

    org = models.CharField("organization", max_length=50, default=DEFAULT_SLUG)
    rule_id = models.CharField(max_length=100)
    agent_id = models.TextField()
    first_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "rule_id", "agent_id"], name="finding_state_once_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.agent_id}"


class Delivery(models.Model):
    EMAIL, WEBHOOK = "email", "webhook"
    CHANNELS = [(EMAIL, "E-mail"), (WEBHOOK, "Webhook")]
    PENDING, SENT, FAILED = "pending", "sent", "failed"
    STATES = [(PENDING, "Pending"), (SENT, "Sent"), (FAILED, "Failed (given up)")]

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=CHANNELS)
    created_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField(max_length=200)
    text = models.TextField(help_text="The digest as the e-mail and the webhook's `text` say it.")
    payload = models.JSONField(help_text="The webhook's JSON body.")
    state = models.CharField(max_length=8, choices=STATES, default=PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.get_channel_display()} of {self.subscription} ({self.state})"
