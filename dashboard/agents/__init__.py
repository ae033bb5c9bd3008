"""The agents service (cache, single flight, staleness) and the `Snapshot` it returns."""
