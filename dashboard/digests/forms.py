"""Subscribing: what, how often, narrowed to which saved list, delivered where."""

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.urls import reverse

from .models import Subscription

LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SubscriptionForm(forms.ModelForm):
    list_url = forms.CharField(
        required=False,
        max_length=2000,
        label="Only the agents of this list",
        help_text="Optional: paste the address of an agent list with its filters (…/agents/?model=oppie-vox-2).",
    )

    webhook_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Webhook URL",
        help_text="Optional: a Slack incoming webhook or any receiver; signed JSON is posted to it.",
    )

    class Meta:
        model = Subscription
        fields = ["name", "frequency", "changes", "findings", "email", "webhook_url"]
        labels = {"changes": "Changes", "findings": "New findings", "email": "E-mail me"}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-control form-control-sm"
            if name == "frequency":
                css = "form-select form-select-sm"
            field.widget.attrs["class"] = css

    def clean_list_url(self) -> str:
        raw = self.cleaned_data["list_url"].strip()
        if not raw:
            return ""
        parts = urlsplit(raw)
        if parts.path.rstrip("/") + "/" != reverse("agent-list"):
            raise forms.ValidationError("Paste the address of the agent list (/agents/ with its filters).")
        return parts.query

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"].strip()
        if not url:
            return ""
        if not settings.DIGEST_WEBHOOK_SECRET:
            raise forms.ValidationError("Webhooks are off: the administrator has not set DIGEST_WEBHOOK_SECRET.")
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host not in {allowed.lower() for allowed in settings.DIGEST_WEBHOOK_HOSTS}:
            allowed = ", ".join(settings.DIGEST_WEBHOOK_HOSTS) or "none"
            raise forms.ValidationError(f"Webhooks may go to these hosts only (DIGEST_WEBHOOK_HOSTS): {allowed}.")
        if parts.scheme != "https" and not _is_loopback(host):
            raise forms.ValidationError("Use an https address.")
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("changes") and not data.get("findings"):
            raise forms.ValidationError("Choose changes, new findings or both.")
        if not data.get("email") and not data.get("webhook_url") and "webhook_url" not in self.errors:
            raise forms.ValidationError("Choose e-mail, a webhook or both.")
        if data.get("email") and not self.user.email:
            self.add_error("email", "Your account has no e-mail address: ask staff to add one, or use a webhook.")
        return data
