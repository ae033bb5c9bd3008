"""Organizations staff add in the admin; those of the environment (`OPENCX_ORGS`) are not stored."""

from django.core.validators import RegexValidator
from django.db import models

from dashboard.environment import ORG_SLUG

slug_validator = RegexValidator(
    rf"\A{ORG_SLUG}\Z", "Lower-case letters, digits and dashes, starting and ending with a letter or digit."
)


class Organization(models.Model):
    slug = models.CharField(
        max_length=50,
        unique=True,
        validators=[slug_validator],
        help_text="Its part of the URL: /o/<slug>/agents/. Changing it breaks links and loses its history.",
    )
    name = models.CharField(max_length=100, help_text="What the pages call it.")
    api_url = models.URLField("API base URL", default="https://api.open.cx")
    # Fernet ciphertext (`encryption.py`); the token itself is never stored, nor shown again.
    token_ciphertext = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class DriftPair(models.Model):
    """Two organizations staff say should match (staging and production): drift between them is a finding."""

    source = models.CharField("from", max_length=50, validators=[slug_validator])
    target = models.CharField("to", max_length=50, validators=[slug_validator])
    match_field = models.CharField(max_length=50, default="name", help_text="The field agents are matched by.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="one_drift_pair_per_direction")]

    def __str__(self) -> str:
        return f"{self.source} should match {self.target} (by {self.match_field})"
