"""The agent list and the parse problems: two configurations of the one list pipeline."""

from urllib.parse import urlsplit

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dashboard.access.readers import reader
from dashboard.fields import active_registry
from dashboard.querystrings import drop_empty_parameters

from ..across import snapshot_for
from ..filters import FETCHED_OPTIONS, AgentFilterForm
from ..index import index_of
from ..listing import AGENT_LIST, PROBLEM_LIST, in_order
from ..models import ColumnPreference


@require_GET
@drop_empty_parameters
def agent_list(request: HttpRequest) -> HttpResponse:
    return AGENT_LIST.respond(request, reader(request), request.GET)


@require_GET
def problem_list(request: HttpRequest) -> HttpResponse:
    return PROBLEM_LIST.respond(request, reader(request), request.GET)


@require_POST
def choose_columns(request: HttpRequest) -> HttpResponse:
    """Remembers the chosen columns for this person and shows them, in a URL that can be shared."""
    target = safe_next(request)
    query = QueryDict(urlsplit(target).query, mutable=True)
    query.pop("page", None)
    if "reset" in request.POST:
        ColumnPreference.objects.filter(user=request.user).delete()
        query.pop("columns", None)
    else:
        columns = active_registry().columns
        chosen = in_order([key for key in request.POST.getlist("columns") if key in columns], columns)
        ColumnPreference.objects.update_or_create(user=request.user, defaults={"columns": chosen})
        query["columns"] = ",".join(chosen)
    return redirect(reverse("agent-list") + ("?" + query.urlencode() if query else ""))


def safe_next(request: HttpRequest) -> str:
    """Where a form posted from a list page sends the person back to: this site only."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return reverse("agent-list")
    return target


@require_GET
def facet_options(request: HttpRequest, parameter: str) -> HttpResponse:
    """One facet's menu under the list's current filters, for the menu that opens (and its search box)."""
    index = index_of(snapshot_for(reader(request)))
    form = AgentFilterForm(
        request.GET, index=index, hidden=reader(request).hidden, every_org=reader(request).sees_every_org
    )
    if parameter not in form.facet_parameters():
        raise Http404("No such filter.")
    search = request.GET.get("facet_q", "")[:100]
    menu = form.facet_menu(parameter, search=search, limit=FETCHED_OPTIONS)
    return render(request, "agents/facet_options.html", {"menu": menu, "search": search})
