"""Change history: what changed in the fleet from one snapshot to the next, kept in the database.

It subscribes to `snapshot_refreshed` (`receivers.py`); the snapshot service does not know it exists.
"""
