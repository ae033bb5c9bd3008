"""Everything Switchboard knows about the OpenCX API: the HTTP client, its errors and the schema.

Nothing in this package knows about Django views or caches.
"""
