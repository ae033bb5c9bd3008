"""Drift between two organizations: /drift/ chooses them, /drift/<from>/<to>/ lists it, and staff
mark (or unmark) two organizations that should match, which makes their drift a finding.

The pages belong to no one organization: under /o/<slug>/ they redirect to their own URL. A person
who may not see both organizations gets a 404, as for any organization they may not see.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.views.decorators.http import require_GET, require_POST

from dashboard.access.audit import record_event
from dashboard.access.models import AuditEvent
from dashboard.access.readers import Reader, reader, reader_for_orgs
from dashboard.orgs.models import DriftPair
from dashboard.orgs.paths import outside_org, root_prefix, within_org
from dashboard.orgs.registry import Org, org_named
from dashboard.querystrings import drop_empty_parameters, without_empty

from ..drift import DEFAULT_MATCH, matchable_fields
from ..drift_list import DriftListPipeline

# What /drift/?from=…&to=… carries on to the drift page it redirects to.
CARRIED = ("match", "kind", "field")


def _elsewhere(request: HttpRequest) -> HttpResponse | None:
    """Under an organization's /o/<slug>/ prefix, a redirect to the same page without it."""
    if get_script_prefix() == root_prefix():
        return None
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(root_prefix() + request.path_info[1:] + (f"?{query}" if query else ""))


def drift_url(source: str, target: str, query: QueryDict | None = None) -> str:
    url = outside_org(reverse("drift", args=[source, target]))
    return url + (f"?{query.urlencode()}" if query else "")


def _both(request: HttpRequest, source: str, target: str) -> tuple[Org, Org, Reader]:
    """The two organizations and the person reading them; Http404 unless they may see both."""
    orgs = (org_named(source), org_named(target))
    return (*orgs, reader_for_orgs(request.user, orgs))


@require_GET
@drop_empty_parameters
def drift_page(request: HttpRequest, source: str, target: str) -> HttpResponse:
    elsewhere = _elsewhere(request)
    if elsewhere is not None:
        return elsewhere
    mine, theirs, me = _both(request, source, target)
    marked = {
        (pair.source, pair.target): pair
        for pair in DriftPair.objects.filter(source__in=[mine.slug, theirs.slug], target__in=[mine.slug, theirs.slug])
    }
    extra = {
        "pair": marked.get((mine.slug, theirs.slug)),
        "reverse_pair": marked.get((theirs.slug, mine.slug)),
        "reverse_url": drift_url(theirs.slug, mine.slug, _match_query(request.GET.get("match", DEFAULT_MATCH))),
        "finding_url": within_org(reverse("agent-list"), mine.slug) + "?finding=drift",
        "orgs": me.orgs,
    }
    return DriftListPipeline(source=mine, target=theirs, extra=extra).respond(request, me, request.GET)


@require_GET
def drift_index(request: HttpRequest) -> HttpResponse:
    """The pairs staff marked and a form choosing two organizations; the form's answer redirects to their drift."""
    elsewhere = _elsewhere(request)
    if elsewhere is not None:
        return elsewhere
    me = reader(request)
    visible = {org.slug: org for org in me.orgs}
    source, target = request.GET.get("from", ""), request.GET.get("to", "")
    if source in visible and target in visible:
        carried = without_empty(request.GET)
        for name in list(carried):
            if name not in CARRIED:
                del carried[name]
        return redirect(drift_url(source, target, carried))
    notices = []
    if source or target:
        notices.append("Choose two organizations you may see.")
    pairs = [
        (visible[pair.source], visible[pair.target], pair.match_field)
        for pair in DriftPair.objects.order_by("source", "target")
        if pair.source in visible and pair.target in visible
    ]
    return render(
        request,
        "agents/drift_index.html",
        {
            "notices": notices,
            "orgs": me.orgs,
            "pairs": [
                (mine, theirs, by, drift_url(mine.slug, theirs.slug, _match_query(by))) for mine, theirs, by in pairs
            ],
            "matchable": matchable_fields(me.hidden),
        },
    )


def _match_query(match: str) -> QueryDict | None:
    if match == DEFAULT_MATCH:
        return None
    query = QueryDict(mutable=True)
    query["match"] = match
    return query


@require_POST
def drift_should_match(request: HttpRequest, source: str, target: str) -> HttpResponse:
    """Staff mark `source` as an organization that should match `target` (by `match`), or unmark it."""
    mine, theirs, me = _both(request, source, target)
    me.require(me.is_staff)
    if "unmark" in request.POST:
        deleted, _ = DriftPair.objects.filter(source=mine.slug, target=theirs.slug).delete()
        if deleted:
            record_event(request, AuditEvent.DRIFT_PAIR_UNMARKED, f"{mine.slug} no longer should match {theirs.slug}")
            messages.success(request, f"{mine.name} is no longer marked as one that should match {theirs.name}.")
        return redirect(drift_url(mine.slug, theirs.slug))
    fields = {field.name: field for field in matchable_fields(me.hidden)}
    match = fields.get(request.POST.get("match", DEFAULT_MATCH))
    if match is None or mine.slug == theirs.slug:
        messages.error(request, "Nothing was marked: choose two organizations and a field to pair agents by.")
        return redirect(drift_url(mine.slug, theirs.slug))
    DriftPair.objects.update_or_create(source=mine.slug, target=theirs.slug, defaults={"match_field": match.name})
    record_event(
        request, AuditEvent.DRIFT_PAIR_MARKED, f"{mine.slug} should match {theirs.slug} (paired by {match.name})"
    )
    messages.success(
        request,
        f"{mine.name} should match {theirs.name}: its agents missing in {theirs.name} or configured otherwise are "
        "now a finding (drift).",
    )
    return redirect(drift_url(mine.slug, theirs.slug, _match_query(match.name)))
