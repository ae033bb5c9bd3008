"""For the people who run the dashboard and their machines: liveness, readiness and the status page."""
