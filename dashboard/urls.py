from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("dashboard.agents.urls")),
    path("", include("dashboard.api.urls")),
    path("", include("dashboard.digests.urls")),
    path("", include("dashboard.history.urls")),
    path("", include("dashboard.access.urls")),
    path("", include("dashboard.ops.urls")),
    path("", include("dashboard.demo.urls")),
    path("admin/", admin.site.urls),
]
