"""Django's admin app with Switchboard's site.

Admin access follows the Staff role's `staff_tools` permission, so putting someone in the Staff
group is all it takes (Django's own `is_staff` flag still works too). The registrations are in
`dashboard/access/admin.py`.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

from .roles import STAFF_TOOLS


class SwitchboardAdminSite(admin.AdminSite):
    site_header = "Switchboard administration"
    site_title = "Switchboard admin"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and (user.is_staff or user.has_perm(STAFF_TOOLS))


class SwitchboardAdminConfig(AdminConfig):
    default_site = "dashboard.access.admin_site.SwitchboardAdminSite"
