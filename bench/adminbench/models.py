from django.db import models


class BenchAgent(models.Model):
    """The list page's columns of one agent, as a database row (bench only)."""

    agent_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=500, blank=True, db_index=True)
    phone_number = models.CharField(max_length=50, null=True)
    type = models.CharField(max_length=50, null=True)
    language = models.CharField(max_length=200, blank=True)
    model = models.CharField(max_length=100, null=True)
    voice_id = models.CharField(max_length=100, null=True)
    stt_model = models.CharField(max_length=100, null=True)
    recording_enabled = models.BooleanField(null=True)
    failover = models.CharField(max_length=20)
    updated_at = models.DateTimeField(null=True, db_index=True)

    def __str__(self) -> str:
        return self.name
