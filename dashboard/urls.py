from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from dashboard.agents.ids import AgentIdConverter
from dashboard.views import agents, changes, findings, health, overview, shares, status

register_converter(AgentIdConverter, "agent_id")

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("agents/", agents.agent_list, name="agent-list"),
    path("agents/columns/", agents.choose_columns, name="agent-columns"),
    path("agents/compare/", agents.agent_compare, name="agent-compare"),
    path("agents/<agent_id:agent_id>/", agents.agent_detail, name="agent-detail"),
    path("problems/", agents.problem_list, name="problem-list"),
    path("findings/", findings.finding_list, name="finding-list"),
    path("changes/", changes.change_list, name="change-list"),
    path("refresh/", agents.refresh, name="refresh"),
    path("shares/", shares.share_list, name="share-list"),
    path("shares/new/", shares.share_create, name="share-create"),
    path("shares/<int:pk>/revoke/", shares.share_revoke, name="share-revoke"),
    path("s/<str:token>/", shares.shared_view, name="shared-view"),
    path("status/", status.status, name="status"),
    path("status/demo-fault/", status.choose_demo_fault, name="demo-fault"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", status.readyz, name="readyz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
