"""Django's admin: users with their organization roles, groups (the roles), the audit log and share
links, for Staff.

Organizations themselves are in `dashboard/orgs/admin.py`. Staff also see sign-in lockouts
(django-axes' Access attempts; deleting one lifts it), through the Staff role's permissions (`roles.py`).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.http import HttpRequest

from dashboard.orgs.registry import organizations

from .audit import record_event
from .models import AuditEvent, OrgGrant, ShareLink
from .organizations import role_permissions


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


class OrgGrantForm(forms.ModelForm):
    """One organization role: the organization picked from those configured, and a role whose
    permissions the person saving must hold themselves."""

    request: HttpRequest  # set by `OrgGrantInline.get_formset`

    class Meta:
        model = OrgGrant
        fields = ["org", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(org.slug, f"{org.name} ({org.slug})") for org in organizations()]
        current = self.instance.org
        if current and current not in dict(choices):
            # Kept, so the grant can still be seen and removed after its organization went away.
            choices.append((current, f"{current} (no longer configured)"))
        self.fields["org"] = forms.ChoiceField(label="Organization", choices=[("", "---------"), *choices])

    def clean(self) -> Any:
        cleaned = super().clean()
        role = cleaned.get("role")
        if role and self.has_changed() and not self.request.user.is_superuser:
            refused = sorted(role_permissions(role) - self.request.user.get_all_permissions())
            if refused:
                raise forms.ValidationError(
                    "You can only grant permissions you hold yourself; not held: %(names)s.",
                    params={"names": ", ".join(refused)},
                )
        return cleaned


class OrgGrantInline(admin.TabularInline):
    model = OrgGrant
    form = OrgGrantForm
    extra = 1
    verbose_name_plural = "organization roles: with any, the person sees only those organizations (Staff see all)"

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["form"] = type(self.form.__name__, (self.form,), {"request": request})
        return super().get_formset(request, obj, **kwargs)


def _audit_grants(request: HttpRequest, formset: Any) -> None:
    """The organization roles a saved inline granted, changed and removed, in the audit log."""
    user = formset.instance.get_username()
    before = {form.instance.pk: form.initial for form in formset.initial_forms}
    for grant in formset.new_objects:
        record_event(request, AuditEvent.ORG_ROLE_GRANTED, f"{user}: {grant.role} in {grant.org}")
    for grant, _fields in formset.changed_objects:
        was = before.get(grant.pk, {})
        record_event(
            request,
            AuditEvent.ORG_ROLE_CHANGED,
            f"{user}: {was.get('role')} in {was.get('org')} -> {grant.role} in {grant.org}",
        )
    for grant in formset.deleted_objects:
        record_event(request, AuditEvent.ORG_ROLE_REMOVED, f"{user}: no longer {grant.role} in {grant.org}")


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class SwitchboardUserAdmin(UserAdmin):
    """Django's user admin with the person's organization roles, except that staff who are not
    superusers cannot make anyone a superuser, grant what they do not hold (a group, a permission
    or an organization role), or change or delete a superuser's account."""

    inlines = [OrgGrantInline]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        # Adding an account asks only for its name and password (Django's two steps); roles come after.
        return self.inlines if obj is not None else []

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is OrgGrant:
            _audit_grants(request, formset)

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
