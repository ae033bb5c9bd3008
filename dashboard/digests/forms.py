"""Subscribing: what, how often, narrowed to which saved list, delivered where."""

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.urls import reverse

from dashboard.outbound.addresses import UnsafeURL

from .delivery import webhook_target
from .models import Subscription


class SubscriptionForm(forms.ModelForm):
    list_url = forms.CharField(
        required=False,
        max_length=2000,
        label="Only the agents of this list",
        help_text="Optional: paste the address of an agent list with its filters (…/agents/?model=oppie-vox-2).",
    )

    # Text, read by webhook_target rather than Django's URL validator: what is checked is what requests reads.
    webhook_url = forms.CharField(
        required=False,
        max_length=500,
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
        try:
            return webhook_target(url).url
        except UnsafeURL as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("changes") and not data.get("findings"):
            raise forms.ValidationError("Choose changes, new findings or both.")
        if not data.get("email") and not data.get("webhook_url") and "webhook_url" not in self.errors:
            raise forms.ValidationError("Choose e-mail, a webhook or both.")
        if data.get("email") and not self.user.email:
            self.add_error("email", "Your account has no e-mail address: ask staff to add one, or use a webhook.")
        return data
