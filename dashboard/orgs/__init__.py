"""The OpenCX organizations the dashboard reads: one API token each, from the environment or the admin."""
