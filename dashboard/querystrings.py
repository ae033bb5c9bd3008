"""Query strings without empty parameters: what a form's unfilled fields send (`speed_min=`) is
noise in a bookmark or a shared link, so pages redirect such URLs to their clean form and build
their own links without them. A leaf any layer may use."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict


def without_empty(query: QueryDict) -> QueryDict:
    """A mutable copy of `query` without its empty values (and the names left with none)."""
    clean = QueryDict(mutable=True)
    for name, values in query.lists():
        kept = [value for value in values if value != ""]
        if kept:
            clean.setlist(name, kept)
    return clean


def drop_empty_parameters(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A GET view whose URL has empty parameters redirects to the same URL without them."""

    @wraps(view)
    def clean_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "GET" and any(value == "" for _, values in request.GET.lists() for value in values):
            clean = without_empty(request.GET).urlencode()
            return HttpResponseRedirect(request.path + (f"?{clean}" if clean else ""))
        return view(request, *args, **kwargs)

    return clean_view
