"""/tokens/: each person makes, names, lists and revokes their own API tokens (under the user menu)."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.audit import record_event
from dashboard.access.models import AuditEvent

from .models import APIToken
from .tokens import EXPIRY_DAYS, issue_token, revoke_token


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="What it is for, e.g. “CI of the config repo”.")
    days = forms.TypedChoiceField(
        label="Expires",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "never"), *((str(days), f"after {days} days") for days in EXPIRY_DAYS)],
        initial="90",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The person's tokens; a POST makes one and shows it on this one answer only."""
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        row, new_token = issue_token(request.user, form.cleaned_data["name"], form.cleaned_data["days"])
        record_event(request, AuditEvent.TOKEN_CREATED, f"#{row.pk} “{row.name}” ({row.prefix}…)")
        form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": APIToken.objects.filter(user=request.user),
            "api_root": request.build_absolute_uri(reverse("api-agents")),
        },
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(APIToken, pk=pk, user=request.user)  # one's own tokens only
    if revoke_token(row):
        record_event(request, AuditEvent.TOKEN_REVOKED, f"#{row.pk} “{row.name}” ({row.prefix}…)")
        messages.success(request, f"Revoked “{row.name}”: it no longer opens the API.")
    return redirect("api-tokens")
