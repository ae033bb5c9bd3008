"""What the agent pages keep per person. The table keeps the name it had before this app was split out."""

from django.conf import settings
from django.db import models


class ColumnPreference(models.Model):
    """The agent-list columns a person chose, remembered across visits."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="column_preference")
    columns = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "dashboard_columnpreference"

    def __str__(self) -> str:
        return f"{self.user}: {', '.join(self.columns)}"
