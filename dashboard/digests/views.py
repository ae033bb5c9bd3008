"""/digests/: each person's digest subscriptions; staff also see every failing delivery."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.readers import reader
from dashboard.orgs.registry import the_org

from .delivery import failing_deliveries
from .forms import SubscriptionForm
from .models import Subscription


@require_http_methods(["GET", "POST"])
def digest_list(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        subscription = form.save(commit=False)
        subscription.user = request.user
        subscription.org = the_org(reader(request).org).slug
        subscription.list_query = form.cleaned_data["list_url"]
        subscription.covered_until = timezone.now()  # from now on
        subscription.save()
        messages.success(request, f"Subscribed: “{subscription.name}”.")
        return redirect("digest-list")
    return render(
        request,
        "digests/list.html",
        {
            "form": form,
            "subscriptions": Subscription.objects.filter(user=request.user),
            "failing": failing_deliveries() if reader(request).is_staff else None,
        },
    )


@require_POST
def digest_delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk, user=request.user)
    subscription.delete()
    messages.success(request, f"Unsubscribed: “{subscription.name}”.")
    return redirect("digest-list")
