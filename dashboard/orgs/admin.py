"""The admin's Organizations: those staff add, with a write-only, encrypted API token.

Organizations of the environment (`OPENCX_ORGS`) are configuration as code: not rows, so not
edited here; the list names them. Every addition, change and deletion is announced
(`signals.organization_edited`) for the audit log.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from .encryption import KEYS_MISSING
from .forms import OrganizationForm
from .models import Organization
from .registry import environment_orgs
from .signals import organization_edited


def _describe(organization: Organization) -> str:
    return f"{organization.slug} ({organization.name})"


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationForm
    list_display = ("name", "slug", "api_url", "token_set", "updated_at")
    search_fields = ("slug", "name", "api_url")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(boolean=True, description="token set")
    def token_set(self, organization: Organization) -> bool:
        return bool(organization.token_ciphertext)

    # Django's error reports (and its debug page) show a request's POST data: never the token.
    @method_decorator(sensitive_post_parameters("token"))
    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "GET":
            self._explain_what_is_not_here(request)
        return super().changelist_view(request, extra_context)

    def _explain_what_is_not_here(self, request: HttpRequest) -> None:
        configured = environment_orgs()
        if configured:
            names = ", ".join(f"{org.name} ({org.slug})" for org in configured)
            self.message_user(
                request,
                f"Configured in the environment (OPENCX_ORGS), read-only here: {names}. They are changed where "
                "the dashboard is configured, and their slugs cannot be used below.",
                messages.INFO,
            )
        if not settings.ORG_TOKEN_KEYS:
            self.message_user(
                request, f"{KEYS_MISSING} Until it is, organizations here cannot be saved nor read.", messages.WARNING
            )
        if settings.DEMO_MODE:
            self.message_user(request, "Demo mode: the demo's organizations are shown instead of these.", messages.INFO)

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and not form.changed_data:
            return
        if change:
            # The names of the fields changed ("API token" when a new one was entered), never a value.
            fields = ", ".join(str(form.fields[name].label or name) for name in form.changed_data)
            detail = f"{_describe(obj)}: changed {fields}"
        else:
            detail = f"{_describe(obj)} at {obj.api_url}"
        action = "changed" if change else "created"
        organization_edited.send(Organization, request=request, action=action, detail=detail)

    def delete_model(self, request: HttpRequest, obj: Organization) -> None:
        detail = _describe(obj)
        super().delete_model(request, obj)
        organization_edited.send(Organization, request=request, action="deleted", detail=detail)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        details = [_describe(organization) for organization in queryset]
        super().delete_queryset(request, queryset)
        for detail in details:
            organization_edited.send(Organization, request=request, action="deleted", detail=detail)
