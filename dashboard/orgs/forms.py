"""The admin's form for an organization: its API token is write-only and encrypted on the way in."""

from typing import Any

from django import forms
from django.conf import settings

from dashboard.outbound.addresses import UnsafeURL, parse_target

from .encryption import KEYS_MISSING, encrypt
from .models import Organization
from .registry import environment_orgs

HELP_WHEN_STORED = "A token is stored; it is never shown. Leave this blank to keep it, or enter a new one instead."
HELP_WHEN_NEW = (
    "A read-only OpenCX API key (phone:read scope). It is stored encrypted with ORG_TOKEN_KEYS and never shown again."
)


class OrganizationForm(forms.ModelForm):
    # Declared to say https when no scheme is typed (Django 6's default, and the only sane one for a token).
    api_url = forms.URLField(
        label="API base URL",
        max_length=200,
        assume_scheme="https",
        initial=Organization._meta.get_field("api_url").default,
        help_text="Where its OpenCX API answers.",
    )
    # PasswordInput never renders a value back (render_value=False): the token goes one way only.
    token = forms.CharField(
        label="API token",
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Organization
        fields = ["slug", "name", "api_url"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = bool(self.instance.token_ciphertext)
        # A new organization needs a token; a stored one is kept when the field is left blank.
        self.fields["token"].required = not stored
        self.fields["token"].help_text = HELP_WHEN_STORED if stored else HELP_WHEN_NEW

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in {org.slug for org in environment_orgs()}:
            # The environment's organization would win and this one would never be shown.
            raise forms.ValidationError(
                "%(slug)s is the slug of an organization configured in the environment (OPENCX_ORGS or "
                "OPENCX_API_TOKEN): choose another.",
                code="slug_configured",
                params={"slug": slug},
            )
        return slug

    def clean_api_url(self) -> str:
        try:
            return parse_target(self.cleaned_data["api_url"], what="The API base URL").url.rstrip("/")
        except UnsafeURL as error:
            raise forms.ValidationError(str(error), code="unsafe_url") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not settings.ORG_TOKEN_KEYS:
            # Refused before anything is stored: a token could be neither encrypted nor read back.
            raise forms.ValidationError(f"{KEYS_MISSING} Nothing was saved.", code="no_token_keys")
        if self.instance.token_ciphertext and "api_url" in self.changed_data and not cleaned.get("token"):
            # Otherwise pointing the URL at another server would send it the token no one may see again.
            self.add_error(
                "token", "Enter the token again to change the API base URL: it goes only where it was given."
            )
        return cleaned

    def save(self, commit: bool = True) -> Organization:
        token = self.cleaned_data.get("token")
        if token:
            self.instance.token_ciphertext = encrypt(token)
        return super().save(commit)
