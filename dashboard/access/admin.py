"""Django's admin: users and groups (the roles), the audit log and share links, for Staff."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, ShareLink


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are written by the dashboard itself, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "username", "ip_address", "detail")
    list_filter = ("action", "at")
    search_fields = ("username", "detail", "ip_address")
    date_hierarchy = "at"


@admin.register(ShareLink)
class ShareLinkAdmin(ReadOnlyAdmin):
    list_display = ("title", "created_by", "created_at", "expires_at", "revoked_at")
    list_filter = ("created_at", "expires_at")
    search_fields = ("title", "created_by__username", "agent_id", "query")
