from django.contrib import admin

from .models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "frequency", "changes", "findings", "email", "covered_until")
    list_filter = ("frequency",)
    exclude = ("webhook_url",)  # may itself be a secret (a Slack webhook's address)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what was delivered, what failed and why."""

    list_display = ("created_at", "subscription", "channel", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = ("state", "channel")
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
