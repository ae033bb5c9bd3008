from django.urls import path

from . import health, views

urlpatterns = [
    path("status/", views.status, name="status"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
