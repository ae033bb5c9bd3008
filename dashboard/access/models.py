"""Access: the dashboard's permissions, share links and the audit log. The tables keep the names
they had before this app was split out."""

from django.conf import settings
from django.db import models

from dashboard.orgs.models import slug_validator


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
    """Something security-relevant that happened: sign-ins, failed sign-ins, share links, exports, API use,
    organizations and organization roles changed in the admin."""

    SIGN_IN, SIGN_IN_FAILED, SIGN_IN_REFUSED = "sign-in", "sign-in-failed", "sign-in-refused"
    SHARE_CREATED, SHARE_REVOKED, EXPORT = "share-created", "share-revoked", "export"
    API, API_REFUSED = "api", "api-refused"
    TOKEN_CREATED, TOKEN_REVOKED = "api-token-created", "api-token-revoked"
    HELD_READ_ACCEPTED = "held-read-accepted"
    # Staff managing organizations and who may see them (the admin); never with a token.
    ORG_CREATED, ORG_CHANGED, ORG_DELETED = "org-created", "org-changed", "org-deleted"
    ORG_ROLE_GRANTED, ORG_ROLE_CHANGED, ORG_ROLE_REMOVED = "org-role-granted", "org-role-changed", "org-role-removed"
    DRIFT_PAIR_MARKED, DRIFT_PAIR_UNMARKED = "drift-pair-marked", "drift-pair-unmarked"
    ACTIONS = [
        (SIGN_IN, "Signed in"),
        (SIGN_IN_FAILED, "Sign-in failed"),
        (SIGN_IN_REFUSED, "Sign-in refused (locked out)"),
        (SHARE_CREATED, "Share link created"),
        (SHARE_REVOKED, "Share link revoked"),
        (EXPORT, "Export"),
        (API, "API request"),
        (API_REFUSED, "API token refused"),
        (TOKEN_CREATED, "API token created"),
        (TOKEN_REVOKED, "API token revoked"),
        (HELD_READ_ACCEPTED, "Held-back read accepted"),
        (ORG_CREATED, "Organization added"),
        (ORG_CHANGED, "Organization changed"),
        (ORG_DELETED, "Organization deleted"),
        (ORG_ROLE_GRANTED, "Organization role granted"),
        (ORG_ROLE_CHANGED, "Organization role changed"),
        (ORG_ROLE_REMOVED, "Organization role removed"),
        (DRIFT_PAIR_MARKED, "Organizations marked should match"),
        (DRIFT_PAIR_UNMARKED, "Organizations unmarked should match"),
    ]

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=20, choices=ACTIONS, db_index=True)
    # The name as typed for failed sign-ins, so attempts on unknown accounts show too.
    username = models.CharField(max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        db_table = "dashboard_auditevent"
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
    # The organization whose agents it shows (its slug); "default" is a single-organization deployment's.
    org = models.CharField("organization", max_length=50, default="default", validators=[slug_validator])
    # What is shared: the agent list's query string, or one agent's id.
    agent_id = models.TextField(blank=True)
    query = models.TextField(blank=True)
    title = models.CharField(max_length=200)

    class Meta:
        db_table = "dashboard_sharelink"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class OrgGrant(models.Model):
    """A person's role in one organization. A person with grants sees only those organizations
    (Staff see every one); a person without any has the role of their groups in all of them."""

    VIEWER, OPERATOR = "Viewer", "Operator"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_grants")
    org = models.CharField("organization", max_length=50, validators=[slug_validator], help_text="Its slug.")
    role = models.CharField(max_length=20, choices=[(VIEWER, VIEWER), (OPERATOR, OPERATOR)], default=VIEWER)

    class Meta:
        verbose_name = "organization role"
        constraints = [models.UniqueConstraint(fields=["user", "org"], name="one_role_per_user_and_org")]
        ordering = ["user", "org"]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} in {self.org}"
