from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path

import dashboard.agents.urls  # noqa: F401 (registers the `agent_id` path converter)

from . import docs, pages, views


def _token_only(view):  # type: ignore[no-untyped-def]
    """The API authenticates by token itself: no sign-in redirect, which a script could not follow."""
    return login_not_required(view)


urlpatterns = [
    path("api/v1/agents/", _token_only(views.AgentListView.as_view()), name="api-agents"),
    path("api/v1/agents/<agent_id:agent_id>/", _token_only(views.AgentDetailView.as_view()), name="api-agent"),
    path("api/v1/findings/", _token_only(views.FindingListView.as_view()), name="api-findings"),
    path("api/v1/changes/", _token_only(views.ChangeListView.as_view()), name="api-changes"),
    path("api/v1/status/", _token_only(views.StatusView.as_view()), name="api-status"),
    path("api/v1/schema/", _token_only(docs.SchemaView.as_view()), name="api-schema"),
    # DRF exempts its views from LoginRequiredMiddleware; a person without a session goes to sign in.
    path("api/v1/docs/", login_required(docs.DocsView.as_view()), name="api-docs"),
    path("tokens/", pages.token_list, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="api-token-revoke"),
]
