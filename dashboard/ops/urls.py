from django.urls import path

from . import metrics, probes, views

# ProbeMiddleware answers the probes and /metrics before routing; these names are for reverse().
urlpatterns = [
    path("status/", views.status, name="status"),
    path("status/accept-held-read/", views.accept_held_read, name="accept-held-read"),
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
]
