from django.urls import path, register_converter

from .ids import AgentIdConverter
from .views import compare, detail, drift, findings, lists, overview, refresh, shared

register_converter(AgentIdConverter, "agent_id")

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("agents/", lists.agent_list, name="agent-list"),
    path("agents/columns/", lists.choose_columns, name="agent-columns"),
    path("agents/facets/<str:parameter>/", lists.facet_options, name="agent-facet"),
    path("agents/compare/", compare.agent_compare, name="agent-compare"),
    path("agents/<agent_id:agent_id>/", detail.agent_detail, name="agent-detail"),
    path("agents/<agent_id:agent_id>/json/", detail.agent_json, name="agent-json"),
    path("problems/", lists.problem_list, name="problem-list"),
    path("findings/", findings.finding_list, name="finding-list"),
    path("drift/", drift.drift_index, name="drift-index"),
    path("drift/<slug:source>/<slug:target>/", drift.drift_page, name="drift"),
    path("drift/<slug:source>/<slug:target>/should-match/", drift.drift_should_match, name="drift-should-match"),
    path("refresh/", refresh.refresh, name="refresh"),
    path("s/<str:token>/", shared.shared_view, name="shared-view"),
    path("s/<str:token>/agents/<agent_id:agent_id>/", shared.shared_agent, name="shared-agent"),
]
