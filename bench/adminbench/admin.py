from django.contrib import admin

from dashboard.fields import OPENCX_FIELDS

from .models import BenchAgent


@admin.register(BenchAgent)
class BenchAgentAdmin(admin.ModelAdmin):
    """The admin changelist the agent list is measured against: same columns, search, filters, page size."""

    list_display = OPENCX_FIELDS.default_columns  # the agent list's own default columns, so the pages compare
    search_fields = ("name", "phone_number", "agent_id")
    list_filter = ("type", "model", "stt_model", "recording_enabled", "failover")
    list_per_page = 100  # as the list benchmark asks for
    ordering = ("id",)
