from django.urls import path

from . import metrics, probes, views

# ProbeMiddleware answers the probes and /metrics before routing; these names are for reverse().
urlpatterns = [
    path("status/", views.status, name="status"),
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
]
