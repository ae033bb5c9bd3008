"""Change history: what changed in the fleet from one snapshot to the next, kept in the database."""
