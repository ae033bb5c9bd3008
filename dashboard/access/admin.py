"""Django's admin: users and groups (the roles), the audit log and share links, for Staff.

Staff also see sign-in lockouts (django-axes' Access attempts; deleting one lifts it), through
the Staff role's permissions (`roles.py`).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
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


# --- users and groups: staff grant only what they hold ---------------------------------------


def _label(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def _refuse_more_than_held(request: HttpRequest, added_permissions: Any, added_groups: Any = ()) -> list[str]:
    """Names of the permissions being granted that the person granting does not hold."""
    if request.user.is_superuser:
        return []
    held = request.user.get_all_permissions()
    wanted = {_label(permission) for permission in added_permissions}
    for group in added_groups:
        wanted |= {_label(permission) for permission in group.permissions.select_related("content_type")}
    return sorted(wanted - held)


class _GrantsOnlyWhatIsHeld:
    """A form mixin: adding a permission or a group (whose permissions count) that the person
    saving does not hold is refused with the names of those permissions."""

    request: HttpRequest

    def _added(self, name: str) -> list[Any]:
        if name not in self.cleaned_data:  # type: ignore[attr-defined]
            return []
        before = set(getattr(self.instance, name).all()) if self.instance.pk else set()  # type: ignore[attr-defined]
        return [item for item in self.cleaned_data[name] if item not in before]  # type: ignore[attr-defined]

    def clean(self) -> Any:
        cleaned = super().clean()  # type: ignore[misc]
        permission_field = "user_permissions" if "user_permissions" in self.fields else "permissions"  # type: ignore[attr-defined]
        refused = _refuse_more_than_held(self.request, self._added(permission_field), self._added("groups"))
        if refused:
            raise forms.ValidationError(
                "You can only grant permissions you hold yourself; not held: %(names)s.",
                params={"names": ", ".join(refused)},
            )
        return cleaned


def _form_with_request(form_class: type, request: HttpRequest) -> type:
    return type(form_class.__name__, (_GrantsOnlyWhatIsHeld, form_class), {"request": request})


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class SwitchboardUserAdmin(UserAdmin):
    """Django's user admin, except that staff who are not superusers cannot make anyone a
    superuser, grant what they do not hold, or change or delete a superuser's account."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else (*fields, "is_superuser")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _form_with_request(super().get_form(request, obj, change=change, **kwargs), request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Group)
class SwitchboardGroupAdmin(GroupAdmin):
    """Django's group admin, except that staff who are not superusers grant only what they hold."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _form_with_request(super().get_form(request, obj, change=change, **kwargs), request)
