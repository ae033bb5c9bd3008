"""Requests this server makes to others (OpenCX, webhook receivers): which addresses it may contact,
and the deadlines and size limits every such request keeps.

A leaf below every app (it imports neither Django nor app code), so the settings, the OpenCX
client, the organizations and the digests share one notion of where a URL goes.
"""
