"""/changes/: what was added, removed or changed in the fleet over a period."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.access.readers import reader
from dashboard.querystrings import drop_empty_parameters
from dashboard.snapshots.service import get_snapshot

from .coverage import history_coverage
from .diff import field_label
from .filters import ChangeFilterForm
from .models import AgentChange

PER_PAGE = 100


@require_GET
@drop_empty_parameters
def change_list(request: HttpRequest) -> HttpResponse:
    snapshot = get_snapshot(reader(request).org)
    form = ChangeFilterForm(request.GET)
    form.is_valid()
    now = timezone.now()
    since, until = form.window(now)
    changes = form.apply(AgentChange.objects.filter(org=snapshot.org).defer("before", "after"), now)
    page = Paginator(changes, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(change, [field_label(field) for field in change.field_names]) for change in page.object_list]
    return render(
        request,
        "history/changes.html",
        {
            "snapshot": snapshot,
            "form": form,
            "notices": form.ignored(),
            "since": since,
            "until": until,
            "page": page,
            "rows": rows,
            "coverage": history_coverage(snapshot.org),
        },
    )
