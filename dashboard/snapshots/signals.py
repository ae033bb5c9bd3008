"""What the snapshot service tells the rest of the dashboard."""

from django.dispatch import Signal

# Sent once a new snapshot is in service, from the thread that read it, with `snapshot` and
# `records` (the upstream's agent objects as decoded, which are freed once every receiver has
# run). A receiver may return a one-line summary of what it did, which `refresh_agents` prints;
# an exception it raises is reported there too and never costs the snapshot.
snapshot_refreshed = Signal()
