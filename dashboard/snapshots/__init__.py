"""Snapshots of the fleet: reading OpenCX in the background, one worker at a time, and serving
the last good read to every page. `service.get_snapshot()` is what pages call."""
